// TestChild: a forked child process for live /proc and cgroup tests.
//
//   TestChild child([](TestChild::Channel& ch) { burn(); ch.report(cpu_ns); });
//   child.wait_ready();            // the child called ch.report(...) and now blocks
//   ... inspect /proc/<child.pid()> ...
//   auto usage = child.finish();   // releases the child, reaps it, returns its rusage
// The child blocks after reporting until finish() (or the destructor, which kills and reaps it),
// so its /proc entries stay stable while the test reads them.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <stdexcept>

class TestChild {
 public:
  class Channel {
   public:
    Channel(int report_fd, int release_fd) : report_fd_(report_fd), release_fd_(release_fd) {}
    // Sends one value to the parent, then blocks until the parent releases the child.
    void report(std::uint64_t value) {
      if (::write(report_fd_, &value, sizeof value) != sizeof value) ::_exit(120);
      char byte;
      while (::read(release_fd_, &byte, 1) < 0) {
      }
    }

   private:
    int report_fd_;
    int release_fd_;
  };

  explicit TestChild(const std::function<void(Channel&)>& body) {
    int report[2], release[2];
    if (::pipe(report) != 0 || ::pipe(release) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Keep only our two pipe ends: an inherited write end of another child's release pipe
      // would keep that child from ever seeing its release.
      for (int fd = 3; fd < 1024; ++fd)
        if (fd != report[1] && fd != release[0]) ::close(fd);
      Channel channel(report[1], release[0]);
      body(channel);
      ::_exit(0);
    }
    ::close(report[1]);
    ::close(release[0]);
    report_fd_ = report[0];
    release_fd_ = release[1];
  }
  TestChild(const TestChild&) = delete;
  TestChild& operator=(const TestChild&) = delete;
  ~TestChild() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (report_fd_ >= 0) ::close(report_fd_);
    if (release_fd_ >= 0) ::close(release_fd_);
  }

  pid_t pid() const { return pid_; }

  // The value the child reported; throws if it died first.
  std::uint64_t wait_ready() {
    std::uint64_t value = 0;
    if (::read(report_fd_, &value, sizeof value) != sizeof value)
      throw std::runtime_error("test child died before reporting");
    return value;
  }

  // Releases the child, waits for it to exit and returns its resource usage.
  rusage finish() {
    ::close(release_fd_);
    release_fd_ = -1;
    rusage usage{};
    int status = 0;
    ::wait4(pid_, &status, 0, &usage);
    reaped_ = true;
    return usage;
  }

 private:
  pid_t pid_ = -1;
  int report_fd_ = -1;
  int release_fd_ = -1;
  bool reaped_ = false;
};
