import Foundation
import Headroom
import HeadroomEngine

/// What the CUDA probe prints: the profile's raw parts before fitting.
public struct ProbeOutput: Codable, Sendable {
    public var device: CalibratedProfile.Device
    public var model: CalibratedProfile.ModelShape
    public var samples: [CalibratedProfile.Sample]
    public var loadPath: CalibratedProfile.LoadPath?

    /// Reads the probe's JSON; a missing field names itself.
    public static func load(file path: String) throws(CalibrationError) -> ProbeOutput {
        let data: Data
        switch InputFile.contents(path) {
        case let .success(bytes): data = bytes
        case let .failure(problem): throw CalibrationError(problem.description)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(ProbeOutput.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw CalibrationError("\(path): missing field `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`")
        } catch {
            throw CalibrationError("\(path): not the probe's JSON (\(error))")
        }
    }

    /// Fits the samples and assembles the profile.
    public func profile(name: String) throws(CalibrationError) -> CalibratedProfile {
        CalibratedProfile(name: name, backend: "cuda", device: device, model: model, samples: samples,
                          fit: try IterationModelFit.fit(samples), loadPath: loadPath)
    }
}
