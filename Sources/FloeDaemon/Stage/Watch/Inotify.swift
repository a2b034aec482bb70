import Glibc
import SystemPackage

/// One decoded inotify event.
struct InotifyEvent: Sendable, Hashable {
    /// The watch descriptor the event is for (-1 for `IN_Q_OVERFLOW`).
    var watch: Int32
    /// The `IN_*` bits.
    var mask: UInt32
    /// The file name inside the watched directory; empty for events about the directory itself,
    /// nil when the name is not valid UTF-8 (such names are never stage files).
    var name: String?

    func has(_ bit: Int32) -> Bool { mask & UInt32(bitPattern: bit) != 0 }
}

/// A non-blocking inotify instance (Linux). Owned and used by one thread; closes its descriptor on deinit.
final class Inotify {
    /// The events floe watches a stage directory for. `IN_MODIFY` is only used to notice writes in progress;
    /// `IN_EXCL_UNLINK` drops events from files already unlinked.
    static let stageMask: UInt32 = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB | IN_MODIFY
            | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK
    )

    let descriptor: Int32
    private var buffer: [UInt8] = Array(repeating: 0, count: 64 * 1024)

    /// Opens an inotify instance; throws the errno (EMFILE: too many instances, see
    /// `fs.inotify.max_user_instances`).
    init() throws(Errno) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Adds (or updates) a watch on `path`; returns its watch descriptor.
    func addWatch(_ path: String, mask: UInt32 = Inotify.stageMask) throws(Errno) -> Int32 {
        let wd = inotify_add_watch(descriptor, path, mask)
        guard wd >= 0 else { throw Errno(rawValue: errno) }
        return wd
    }

    /// Removes a watch; errors (the watch is already gone) are ignored.
    func removeWatch(_ watch: Int32) {
        _ = inotify_rm_watch(descriptor, watch)
    }

    /// Reads every event queued now, without blocking.
    func readAvailable() -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return events }
            buffer.withUnsafeBytes { Self.decode(UnsafeRawBufferPointer(rebasing: $0[..<count]), into: &events) }
        }
    }

    /// Decodes a buffer of `struct inotify_event` records (16-byte header, then `len` NUL-padded name bytes).
    static func decode(_ bytes: UnsafeRawBufferPointer, into events: inout [InotifyEvent]) {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= bytes.count {
            let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + header
            let nameEnd = min(nameStart + length, bytes.count)
            let raw = bytes[nameStart..<nameEnd].prefix { $0 != 0 }
            let name = String(validating: raw, as: UTF8.self)
            events.append(InotifyEvent(watch: watch, mask: mask, name: raw.isEmpty ? "" : name))
            offset = nameStart + length
        }
    }
}
