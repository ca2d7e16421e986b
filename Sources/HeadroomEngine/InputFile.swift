import Foundation

/// Checks a path a user gave as an input file before anything opens it, so a directory, a FIFO
/// (whose open would block until a writer appears), a missing or unreadable file gets one clear
/// sentence naming the path instead of a hang, a crash or Foundation's error text.
public enum InputFile {
    /// Why `path` cannot be read as a file, or `nil` when it is a readable regular file
    /// (symbolic links are followed).
    public static func problem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            switch errno {
            case ENOENT: return "cannot read the file (no such file)"
            case ENOTDIR: return "cannot read the file (no such file: a part of the path is not a folder)"
            case EACCES: return "cannot read the file (permission denied)"
            default: return "cannot read the file (\(String(cString: strerror(errno))))"
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "is a directory, not a file"
        case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
        case S_IFSOCK: return "is a socket, not a regular file"
        case S_IFCHR, S_IFBLK: return "is a device, not a regular file"
        default: return "is not a regular file"
        }
        guard access(path, R_OK) == 0 else { return "cannot read the file (permission denied)" }
        return nil
    }

    /// The whole file's bytes, or the reason it cannot be read (without the path: callers name it
    /// in their own error type).
    public static func contents(_ path: String) -> Result<Data, InputFileError> {
        if let problem = problem(path) { return .failure(InputFileError(path: path, reason: problem)) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(InputFileError(path: path, reason: "cannot read the file"))
        }
        defer { try? handle.close() }
        do {
            return .success(try handle.readToEnd() ?? Data())
        } catch {
            return .failure(InputFileError(path: path, reason: "cannot read the file (\(readReason(error)))"))
        }
    }

    /// The reason given for a file that is not UTF-8 text.
    public static let notUTF8 = "the file is not UTF-8 text"

    /// The file as UTF-8 text, or the reason it cannot be read.
    public static func text(_ path: String) -> Result<String, InputFileError> {
        contents(path).flatMap { data in
            guard let text = String(data: data, encoding: .utf8) else {
                return .failure(InputFileError(path: path, reason: notUTF8))
            }
            return .success(text)
        }
    }

    /// A read error as a short phrase (the POSIX reason when there is one), never NSError text.
    public static func readReason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return "input/output error"
    }
}

/// An input file that cannot be read: the path and the reason (also as `localizedDescription`,
/// so no caller shows Foundation's generic text).
public struct InputFileError: LocalizedError, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { reason }
}
