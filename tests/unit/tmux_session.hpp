// TmuxSession: runs a command in a detached tmux pane of a given size, on a private tmux
// server (its own socket), so tests can send keys and read the screen like a user would.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

class TmuxSession {
 public:
  static bool available() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

  TmuxSession(const std::string& command, int width, int height)
      : socket_("aurora-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)) {
    run("new-session -d -s t -x " + std::to_string(width) + " -y " + std::to_string(height) +
        " " + quote(command));
  }
  ~TmuxSession() { run("kill-server"); }
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  // tmux key names ("Enter", "Escape", "Down") or literal text with literal = true.
  void send(const std::string& keys, bool literal = false) {
    run(std::string("send-keys -t t ") + (literal ? "-l " : "") + keys);
  }
  std::string screen() { return output("capture-pane -p -t t"); }
  std::string query(const std::string& format) { return output("display-message -p -t t " + quote(format)); }
  void resize(int width, int height) {
    run("resize-window -t t -x " + std::to_string(width) + " -y " + std::to_string(height));
  }
  // Polls the screen until `text` shows (true) or `timeout` passes (false).
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  int run(const std::string& args) {
    return std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  std::string output(const std::string& args) {
    std::string out;
    if (std::FILE* pipe = ::popen(("tmux -L " + socket_ + " " + args + " 2>/dev/null").c_str(), "r")) {
      char buffer[4096];
      std::size_t n;
      while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
      ::pclose(pipe);
    }
    return out;
  }

  std::string socket_;
};
