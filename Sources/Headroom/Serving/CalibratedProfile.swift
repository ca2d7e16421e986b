import Foundation
import HeadroomEngine

/// A measured hardware profile, as the calibration harness writes it (JSON, versioned): the
/// device, the model shape it was measured for, the raw iteration samples, the fitted iteration-time
/// coefficients with their fit quality, and the weight-load path's bandwidths.
public struct CalibratedProfile: Codable, Sendable, Equatable {
    /// The schema this Headroom reads; a file with another version is refused.
    public static let currentSchemaVersion = 1

    public struct Device: Codable, Sendable, Equatable {
        public var name: String
        public var memoryBytes: Double
        /// Driver and runtime versions (CUDA), or the BLAS library for the CPU backend.
        public var driver: String
        public var runtime: String
        public var hostProcessor: String
        public init(name: String, memoryBytes: Double, driver: String, runtime: String, hostProcessor: String) {
            self.name = name
            self.memoryBytes = memoryBytes
            self.driver = driver
            self.runtime = runtime
            self.hostProcessor = hostProcessor
        }
    }

    /// The transformer shape the samples were measured on.
    public struct ModelShape: Codable, Sendable, Equatable {
        public var name: String
        public var layers: Int
        public var hidden: Int
        public var heads: Int
        public var kvHeads: Int
        public var intermediate: Int
        public var dtype: String
        public var parameters: Double
        public init(name: String, layers: Int, hidden: Int, heads: Int, kvHeads: Int, intermediate: Int, dtype: String, parameters: Double) {
            self.name = name
            self.layers = layers
            self.hidden = hidden
            self.heads = heads
            self.kvHeads = kvHeads
            self.intermediate = intermediate
            self.dtype = dtype
            self.parameters = parameters
        }
    }

    /// One measured iteration (median of repeats).
    public struct Sample: Codable, Sendable, Equatable {
        public var batch: Int
        public var prefillTokens: Int
        public var contextTokens: Int
        public var seconds: Double
        public init(batch: Int, prefillTokens: Int, contextTokens: Int, seconds: Double) {
            self.batch = batch
            self.prefillTokens = prefillTokens
            self.contextTokens = contextTokens
            self.seconds = seconds
        }
    }

    /// The iteration-time model's coefficients (seconds) and how well they fit the samples.
    public struct Fit: Codable, Sendable, Equatable {
        public var base: Double
        public var perSequence: Double
        public var perPrefillToken: Double
        public var perContextToken: Double
        public var rSquared: Double
        public var maxRelativeError: Double
        public init(base: Double, perSequence: Double, perPrefillToken: Double, perContextToken: Double, rSquared: Double, maxRelativeError: Double) {
            self.base = base
            self.perSequence = perSequence
            self.perPrefillToken = perPrefillToken
            self.perContextToken = perContextToken
            self.rSquared = rSquared
            self.maxRelativeError = maxRelativeError
        }
    }

    /// The knee form's coefficients (seconds; see `HardwareProfile.Form.knee`) and how well they
    /// fit the same samples as the linear `Fit`.
    public struct KneeFit: Codable, Sendable, Equatable {
        public var overhead: Double
        public var weightRead: Double
        public var perTokenCompute: Double
        public var perToken: Double
        public var perDecodeSequence: Double
        public var perContextToken: Double
        /// Per unit of `chunk × (cached + chunk / 2)` of a prefilling sequence.
        public var perAttentionUnit: Double
        /// Per key of a prefilling sequence's longest walk (`cached + chunk`); absent (0) in files
        /// written before it existed.
        public var perAttentionKey: Double?
        public var rSquared: Double
        public var maxRelativeError: Double
        /// Median |predicted − measured| / measured.
        public var medianRelativeError: Double
        public init(overhead: Double, weightRead: Double, perTokenCompute: Double, perToken: Double, perDecodeSequence: Double,
                    perContextToken: Double, perAttentionUnit: Double, perAttentionKey: Double? = nil, rSquared: Double, maxRelativeError: Double,
                    medianRelativeError: Double) {
            self.overhead = overhead
            self.perAttentionKey = perAttentionKey
            self.weightRead = weightRead
            self.perTokenCompute = perTokenCompute
            self.perToken = perToken
            self.perDecodeSequence = perDecodeSequence
            self.perContextToken = perContextToken
            self.perAttentionUnit = perAttentionUnit
            self.rSquared = rSquared
            self.maxRelativeError = maxRelativeError
            self.medianRelativeError = medianRelativeError
        }

        /// Tokens at the knee, where the compute line meets the weight read.
        public var kneeTokens: Double { perTokenCompute > 0 ? weightRead / perTokenCompute : .infinity }
    }

    /// Weight-loading measurements (bytes per second; seconds for the whole file).
    public struct LoadPath: Codable, Sendable, Equatable {
        public var diskRead: Double
        public var hostToDevicePageable: Double?
        public var hostToDevicePinned: Double?
        public var memoryCopy: Double?
        public var fileBytes: Double
        public var sequentialLoadSeconds: Double
        public var streamedLoadSeconds: Double
        public init(diskRead: Double, hostToDevicePageable: Double?, hostToDevicePinned: Double?, memoryCopy: Double?, fileBytes: Double,
                    sequentialLoadSeconds: Double, streamedLoadSeconds: Double) {
            self.diskRead = diskRead
            self.hostToDevicePageable = hostToDevicePageable
            self.hostToDevicePinned = hostToDevicePinned
            self.memoryCopy = memoryCopy
            self.fileBytes = fileBytes
            self.sequentialLoadSeconds = sequentialLoadSeconds
            self.streamedLoadSeconds = streamedLoadSeconds
        }
    }

    public var schemaVersion: Int
    public var name: String
    public var backend: String
    public var device: Device
    public var model: ModelShape
    public var samples: [Sample]
    public var fit: Fit
    public var loadPath: LoadPath?
    /// Set when the fit is poor (see `Fit.warning`); absent from files written before it existed.
    public var fitWarning: String?
    /// Where the samples come from when they were not measured on this machine (the measured
    /// tables a profile was composed from: project, commit, licence, model, GPU, TP, and what was
    /// modelled); absent from profiles the CPU and CUDA backends measure.
    public var source: String?
    /// The form the simulator runs: `linear` (absent in older files) uses `fit`; `knee` uses
    /// `knee_fit`, `table` uses `table_fit`, with `fit` kept beside them (the best straight line
    /// on the same samples).
    public var form: String?
    public var kneeFit: KneeFit?
    public var tableFit: TableFit?

    public init(name: String, backend: String, device: Device, model: ModelShape, samples: [Sample], fit: Fit, loadPath: LoadPath?) {
        schemaVersion = Self.currentSchemaVersion
        self.name = name
        self.backend = backend
        self.device = device
        self.model = model
        self.samples = samples
        self.fit = fit
        self.loadPath = loadPath
        fitWarning = fit.warning
    }

    /// Reads a profile file; an unknown schema version or a missing field is a clear error.
    public static func load(file path: String) throws(ProfileError) -> CalibratedProfile {
        let data: Data
        switch InputFile.contents(path) {
        case let .success(bytes): data = bytes
        case let .failure(problem): throw ProfileError(problem.description)
        }
        return try decode(data, file: path)
    }

    public static func decode(_ data: Data, file: String) throws(ProfileError) -> CalibratedProfile {
        struct Version: Decodable { var schemaVersion: Int? }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let version = try? decoder.decode(Version.self, from: data) else { throw ProfileError("\(file): not a JSON object") }
        guard let number = version.schemaVersion else { throw ProfileError("\(file): missing `schema_version`; is this a Headroom profile?") }
        guard number == currentSchemaVersion else {
            throw ProfileError("\(file): schema version \(number) is not known to this Headroom (it reads version \(currentSchemaVersion))")
        }
        let profile: CalibratedProfile
        do {
            profile = try decoder.decode(CalibratedProfile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ProfileError("\(file): missing field `\(Self.path(context.codingPath + [key]))`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ProfileError("\(file): `\(Self.path(context.codingPath))` has the wrong type")
        } catch {
            throw ProfileError("\(file): \(error)")
        }
        switch profile.form {
        case nil, HardwareProfile.Form.linear.rawValue: break
        case HardwareProfile.Form.knee.rawValue:
            guard let knee = profile.kneeFit else { throw ProfileError("\(file): `form` is knee but `knee_fit` is missing") }
            let terms = [knee.overhead, knee.weightRead, knee.perTokenCompute, knee.perToken, knee.perDecodeSequence, knee.perContextToken,
                         knee.perAttentionUnit, knee.perAttentionKey ?? 0]
            guard terms.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 3600 }) else {
                throw ProfileError("\(file): `knee_fit` has a negative, infinite or absurd coefficient (each must be 0 to 3,600 seconds)")
            }
        case HardwareProfile.Form.table.rawValue:
            guard let table = profile.tableFit else { throw ProfileError("\(file): `form` is table but `table_fit` is missing") }
            do {
                _ = try table.costTable()
            } catch {
                throw ProfileError("\(file): \(error.description)")
            }
        case let other?:
            throw ProfileError("\(file): unknown `form` `\(other)`; allowed: \(HardwareProfile.Form.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return profile
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue.snakeCased }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    /// The iteration-time model the simulator runs, for the shape it was measured on (see
    /// `hardwareProfile(serving:)` to serve a deeper model).
    public var hardwareProfile: HardwareProfile {
        let origin = source.map { "\($0); " } ?? "calibrated (\(backend)) on \(device.name) for \(model.name); "
        // `decode` refused a table that does not convert; one built in code falls back to the line.
        if form == HardwareProfile.Form.table.rawValue, let table = tableFit,
           let profile = try? table.hardwareProfile(
               name: name,
               source: origin + "table form (\(table.tokens.count) knots), R² \(String(format: "%.4f", table.rSquared)), max relative error "
                   + "\(String(format: "%.1f", table.maxRelativeError * 100)) % (the linear fit's: \(String(format: "%.1f", fit.maxRelativeError * 100)) %)") {
            return profile
        }
        if form == HardwareProfile.Form.knee.rawValue, let knee = kneeFit {
            return .knee(
                name: name,
                source: origin + "knee form, R² \(String(format: "%.4f", knee.rSquared)), max relative error "
                    + "\(String(format: "%.1f", knee.maxRelativeError * 100)) % (the linear fit's: \(String(format: "%.1f", fit.maxRelativeError * 100)) %)",
                overhead: .seconds(knee.overhead), weightRead: .seconds(knee.weightRead), perTokenCompute: .seconds(knee.perTokenCompute),
                perToken: .seconds(knee.perToken), perDecodeSequence: .seconds(knee.perDecodeSequence),
                perContextToken: .seconds(knee.perContextToken), perAttentionUnitPicoseconds: HardwareProfile.picoseconds(knee.perAttentionUnit),
                perAttentionKeyPicoseconds: HardwareProfile.picoseconds(knee.perAttentionKey ?? 0))
        }
        return HardwareProfile(
            name: name,
            source: origin
                + "R² \(String(format: "%.4f", fit.rSquared)), "
                + "max relative error \(String(format: "%.1f", fit.maxRelativeError * 100)) %"
                + (fit.warning == nil ? "" : " (a poor fit)"),
            base: .seconds(max(0, fit.base)), perSequence: .seconds(max(0, fit.perSequence)),
            perPrefillToken: .seconds(max(0, fit.perPrefillToken)), perContextToken: .seconds(max(0, fit.perContextToken)))
    }
}

/// Why a profile file was refused.
public struct ProfileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    var snakeCased: String {
        var result = ""
        for character in self {
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
        return result
    }
}
