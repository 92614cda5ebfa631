import Foundation

/// Reads a configuration file as UTF-8 text, turning every failure into one clear line.
enum ConfigFileReading {
    struct Problem: Error {
        var reason: String
    }

    static func read(_ path: String) -> Result<String, Problem> {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(Problem(reason: "cannot read: no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(Problem(reason: "cannot read: is a directory")) }
        guard manager.isReadableFile(atPath: path), let data = manager.contents(atPath: path) else {
            return .failure(Problem(reason: "cannot read: permission denied"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(Problem(reason: "cannot read: not UTF-8 text"))
        }
        return .success(text)
    }
}
