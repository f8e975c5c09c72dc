import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Crash-safe file writes and moves: data reaches the disk before the name does, and the name change is
/// itself made durable by syncing the directory.
enum AtomicFile {
    /// Writes `data` to `url` atomically: temp file in the same directory (`.<name>.<random>.tmp`, which the
    /// inbox convention ignores), `fsync` it, then publish the name and `fsync` the directory. With
    /// `replace == false` the name is published with `link(2)`, which fails if it exists, so an existing file
    /// is never overwritten; with `replace == true` `rename(2)` replaces it atomically.
    static func write(_ data: Data, to url: URL, replace: Bool, mode: mode_t = 0o640)
        throws(FileDropError)
    {
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let temp =
            dir + "/." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw io(temp, "create") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            // Returns 0 or the errno of the failed write.
            let writeErrno: Int32 = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32 in
                guard let base = raw.baseAddress else { return 0 }
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return 0
            }
            guard writeErrno == 0 else {
                throw FileDropError.io(
                    path: temp, operation: "write", reason: String(cString: strerror(writeErrno)))
            }
            guard fsync(fd) == 0 else { throw io(temp, "fsync") }
        }
        if replace {
            guard rename(temp, url.path) == 0 else { throw io(url.path, "rename") }
        } else {
            guard link(temp, url.path) == 0 else {
                if errno == EEXIST { throw FileDropError.exists(path: url.path) }
                throw io(url.path, "link")
            }
            unlink(temp)
        }
        ok = true
        try syncDirectory(dir)
    }

    /// Moves `from` to `to` (same file system) without replacing an existing `to`, then syncs both directories.
    /// Regular files move with `link` + `unlink` (atomic no-replace); entries that cannot be hard-linked
    /// (directories) fall back to check-then-`rename`, which is safe because only vppd writes the target
    /// directories.
    static func move(_ from: String, to: String) throws(FileDropError) {
        if link(from, to) == 0 {
            guard unlink(from) == 0 else { throw io(from, "unlink") }
        } else if errno == EEXIST {
            throw FileDropError.exists(path: to)
        } else if errno == EPERM || errno == EMLINK {
            var st = stat()
            guard lstat(to, &st) != 0 else { throw FileDropError.exists(path: to) }
            guard rename(from, to) == 0 else { throw io(to, "rename") }
        } else {
            throw io(to, "link")
        }
        try syncDirectory((to as NSString).deletingLastPathComponent)
        try syncDirectory((from as NSString).deletingLastPathComponent)
    }

    /// `fsync` on a directory makes renames and links in it durable.
    static func syncDirectory(_ path: String) throws(FileDropError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw io(path, "open directory") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw io(path, "fsync directory") }
    }

    static func io(_ path: String, _ op: String) -> FileDropError {
        .io(path: path, operation: op, reason: String(cString: strerror(errno)))
    }
}
