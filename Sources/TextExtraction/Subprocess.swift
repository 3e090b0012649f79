import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished child process left behind.
struct SubprocessResult: Sendable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    var termination: Termination
    var standardOutput: Data
    var standardError: Data
    /// Standard output reached the cap: reading stopped there and the process was killed.
    var outputTruncated: Bool
    var timedOut: Bool

    var succeeded: Bool { termination == .exited(0) }

    /// The first line of standard error that names an error, else its first non-empty line.
    var errorSummary: String {
        let lines = String(decoding: standardError, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return lines.first { $0.localizedCaseInsensitiveContains("error") } ?? lines.first ?? "\(termination)"
    }
}

/// Runs a tool as a child process without tying up a Swift concurrency thread.
///
/// Foundation's `Process` cannot put the child in a process group of its own, so a tool that
/// forks (or a shell script standing in for one) could leave grandchildren running after a
/// timeout, still holding the output pipe open. Spawning with `POSIX_SPAWN_SETPGROUP` lets a
/// timeout signal the whole group. Both pipes are drained together (with `poll`), so a chatty
/// standard error can never block the child while standard output is being read.
enum Subprocess {
    /// How long a process may ignore SIGTERM before it gets SIGKILL.
    static let killGrace: Duration = .seconds(2)
    static let maxErrorBytes = 64 * 1024

    static func run(
        _ executable: String,
        _ arguments: [String],
        environment overrides: [String: String] = [:],
        timeout: Duration,
        maxOutputBytes: Int
    ) async throws(ExtractionError) -> SubprocessResult {
        let toolName = (executable as NSString).lastPathComponent
        guard timeout > .zero else { throw .timedOut }
        let (pid, output, errors) = try startWithPipes(executable, arguments, overrides, toolName: toolName)
        return await supervise(pid: pid, output: output, errors: errors, timeout: timeout, maxOutputBytes: maxOutputBytes)
    }

    // MARK: - Supervision

    /// What the timer and the supervising thread share.
    private final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private var finished = false
        private var timedOut = false
        private var timer: DispatchSourceTimer?

        /// Arms the timeout; `onTimeout` runs only if the run has not finished by then.
        func arm(after timeout: Duration, on queue: DispatchQueue, _ onTimeout: @escaping @Sendable () -> Void) {
            let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
            timer.schedule(deadline: .now() + dispatchInterval(timeout), leeway: .milliseconds(10))
            timer.setEventHandler { [self] in
                let fire = lock.withLock {
                    guard !finished else { return false }
                    timedOut = true
                    return true
                }
                if fire { onTimeout() }
            }
            lock.withLock { self.timer = timer }
            timer.resume()
        }

        var isFinished: Bool { lock.withLock { finished } }

        /// Marks the run finished, stops the timer and says whether it had timed out.
        func finish() -> Bool {
            lock.withLock {
                finished = true
                timer?.cancel()
                timer = nil
                return timedOut
            }
        }
    }

    /// One thread per run waits on the pipes and then the process: blocking there is harmless,
    /// whereas blocking dispatch's few worker threads starves its timers (on two cores a
    /// one-second timeout was seen to fire after two).
    private static func supervise(
        pid: pid_t, output: Int32, errors: Int32, timeout: Duration, maxOutputBytes: Int
    ) async -> SubprocessResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<SubprocessResult, Never>) in
            let state = RunState()
            let queue = DispatchQueue.global(qos: .userInitiated)
            state.arm(after: timeout, on: queue) {
                kill(-pid, SIGTERM)
                let grace = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
                grace.schedule(deadline: .now() + dispatchInterval(killGrace), leeway: .milliseconds(10))
                grace.setEventHandler {
                    grace.cancel()
                    if !state.isFinished { kill(-pid, SIGKILL) }
                }
                grace.resume()
            }
            let thread = Thread {
                let (standardOutput, standardError, truncated) = drain(output: output, errors: errors, maxOutputBytes: maxOutputBytes) {
                    kill(-pid, SIGKILL)
                }
                let termination = wait(for: pid)
                let timedOut = state.finish()
                continuation.resume(returning: SubprocessResult(
                    termination: termination, standardOutput: standardOutput, standardError: standardError,
                    outputTruncated: truncated, timedOut: timedOut
                ))
            }
            thread.name = "TextExtraction subprocess \(pid)"
            thread.start()
        }
    }

    /// Reads both pipes until both are closed, so a tool filling one is never blocked while the
    /// other is read. Standard output stops at `maxOutputBytes` (then `onLimit` runs); standard
    /// error keeps being read past its own limit but the excess is dropped.
    private static func drain(
        output: Int32, errors: Int32, maxOutputBytes: Int, onLimit: () -> Void
    ) -> (output: Data, errors: Data, truncated: Bool) {
        var collected = [Data(), Data()]
        let limits = [maxOutputBytes, maxErrorBytes]
        var fds = [pollfd(fd: output, events: Int16(POLLIN), revents: 0), pollfd(fd: errors, events: Int16(POLLIN), revents: 0)]
        var truncated = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        func stop(_ index: Int) {
            close(fds[index].fd)
            fds[index].fd = -1  // poll ignores negative descriptors
        }
        while fds.contains(where: { $0.fd >= 0 }) {
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else {
                    stop(index)
                    continue
                }
                let room = limits[index] - collected[index].count
                if room > 0 { collected[index].append(contentsOf: buffer[0..<min(count, room)]) }
                if index == 0, count > room {
                    truncated = true
                    stop(index)
                    onLimit()
                }
            }
        }
        for index in fds.indices where fds[index].fd >= 0 { stop(index) }
        return (collected[0], collected[1], truncated)
    }

    private static func wait(for pid: pid_t) -> SubprocessResult.Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return .exited(-1) }
        }
        // The W* macros are not imported into Swift; this is their glibc and Darwin definition.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return .never }
        return .nanoseconds(Int(nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }

    // MARK: - Spawning

    /// Held from creating a pipe until the child holding its other end is spawned and the parent
    /// has closed it, so no other tool started from here inherits the pipe and keeps it open.
    private static let spawnLock = NSLock()

    /// Spawns the tool with its standard output and error on new pipes; returns the read ends.
    private static func startWithPipes(
        _ executable: String, _ arguments: [String], _ overrides: [String: String], toolName: String
    ) throws(ExtractionError) -> (pid: pid_t, output: Int32, errors: Int32) {
        spawnLock.lock()
        defer { spawnLock.unlock() }
        let output = try makePipe(toolName)
        let errors: (read: Int32, write: Int32)
        do throws(ExtractionError) { errors = try makePipe(toolName) } catch {
            closePipe(output)
            throw error
        }
        let pid: pid_t
        do throws(ExtractionError) {
            pid = try spawn(executable, arguments, overrides, stdout: output.write, stderr: errors.write, toolName: toolName)
        } catch {
            closePipe(output)
            closePipe(errors)
            throw error
        }
        close(output.write)
        close(errors.write)
        return (pid, output.read, errors.read)
    }

    private static func makePipe(_ toolName: String) throws(ExtractionError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .toolMissing(toolName) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static func closePipe(_ pipe: (read: Int32, write: Int32)) {
        close(pipe.read)
        close(pipe.write)
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], _ overrides: [String: String],
        stdout: Int32, stderr: Int32, toolName: String
    ) throws(ExtractionError) -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Servers ignore SIGPIPE, and ignored signals survive exec; give the tool the default back.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var environment = ProcessInfo.processInfo.environment
        environment.merge(overrides) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw .toolMissing(toolName) }
        return pid
    }
}
