"""Kernel cpulist/nodelist text ("0-3,8,10-11") as a list of ids; shared by the VM checkers."""


def parse_list(text):
    ids = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-")
            ids.extend(range(int(first), int(last) + 1))
        else:
            ids.append(int(part))
    return ids
