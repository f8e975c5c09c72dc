import Foundation

/// A child process started with `posix_spawn`, with a clean signal mask and default signal dispositions.
///
/// Why not Foundation's `Process`: it spawns from whichever thread calls `run()`, and Swift's concurrency and
/// Dispatch worker threads block SIGTERM/SIGINT/SIGHUP. The child inherits that mask, and mosquitto (which only
/// unblocks signals it found unblocked at start) then never sees SIGTERM. `Process.isRunning` also lags the real
/// exit by seconds on Linux. Here we reset the mask and reap with `waitpid` ourselves.
struct SpawnedProcess: Sendable, Hashable {
    let pid: pid_t

    /// Starts `executable` with `arguments`; stdin, stdout and stderr are /dev/null.
    static func spawn(_ executable: String, _ arguments: [String]) throws(MosquittoProcessError) -> SpawnedProcess {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, environ)
        guard rc == 0 else {
            throw .cannotLaunch(executable: executable, reason: String(cString: strerror(rc)))
        }
        return SpawnedProcess(pid: pid)
    }

    /// Runs to completion; throws unless it exits with status 0 within `timeoutS` seconds.
    static func run(_ executable: String, _ arguments: [String], timeoutS: Double = 10) throws(MosquittoProcessError) {
        let p = try spawn(executable, arguments)
        guard let status = p.waitForExit(timeoutS: timeoutS) else {
            p.terminate(graceS: 0)
            throw .cannotLaunch(executable: executable, reason: "did not finish within \(timeoutS) s")
        }
        guard status == 0 else { throw .cannotLaunch(executable: executable, reason: "exit status \(status)") }
    }

    /// Reaps the child if it has exited; returns its exit status (128 + signal when killed), nil while running.
    func poll() -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == 0 { return nil }
        if r < 0 { return -1 }  // already reaped or not our child
        let termsig = status & 0x7F
        return termsig == 0 ? (status >> 8) & 0xFF : 128 + termsig
    }

    /// Waits up to `timeoutS` seconds for the child to exit; returns its status, or nil on timeout.
    func waitForExit(timeoutS: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutS)
        while true {
            if let s = poll() { return s }
            if Date() >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// SIGTERM, then SIGKILL after `graceS` seconds; always reaps.
    func terminate(graceS: Double) {
        if poll() != nil { return }
        if graceS > 0 {
            kill(pid, SIGTERM)
            if waitForExit(timeoutS: graceS) != nil { return }
        }
        kill(pid, SIGKILL)
        _ = waitForExit(timeoutS: 5)
    }
}
