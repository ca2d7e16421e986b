import Headroom

extension MeasuredPoints {
    /// The profile being judged, as far as choosing its measurements needs it: by default the
    /// tables of its own model, GPU and TP are read. A calibrated profile states all three; a
    /// built-in datasheet estimate only its GPU and TP in its name (`h100-llama3-70b-tp4`), so
    /// the tables' model must be named for it.
    public struct Subject: Sendable, Equatable {
        public var name: String
        /// The shape it was measured on; nil for a built-in estimate.
        public var model: CalibratedProfile.ModelShape?
        /// Words that name its GPU (the device, then the name).
        public var device: String
        public var tensorParallel: Int

        public init(_ profile: CalibratedProfile) {
            name = profile.name
            model = profile.model
            device = profile.device.name
            tensorParallel = ProfileFidelity.tensorParallel(of: profile)
        }

        public init(builtIn profile: HardwareProfile) {
            name = profile.name
            model = nil
            device = profile.name
            tensorParallel = profile.name.firstMatch(of: /-tp(\d+)$/).flatMap { Int($0.1) } ?? 1
        }

        /// The GPU its device or name mentions (`H100-SXM-80GB × 1`, `a100-llama3-8b-tp1`).
        public var gpu: MeasuredGPU? {
            MeasuredGPU.allCases.first { device.lowercased().contains($0.rawValue) }
                ?? MeasuredGPU.allCases.first { name.lowercased().contains($0.rawValue) }
        }

        /// `--model`, else its own model's name; refused for a built-in estimate, which has none.
        func tableModel(_ selection: Selection, file: String) throws(TableError) -> String {
            guard let model = selection.model ?? model?.name else {
                throw TableError(file: file, message: "`\(name)` is a built-in estimate of no measured model: name the tables' model "
                                 + "with --model")
            }
            return model
        }
    }
}
