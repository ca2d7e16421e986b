import Foundation

extension CalibratedProfile.Fit {
    /// Above this largest relative error (50 %) a fit is called poor. The iteration model is
    /// linear in batch, prefill and context tokens; a tuned engine on a quiet machine fits it within
    /// tens of percent (the shipped `cpu-small` profile: 28 %, on small prefills). Errors of 87–224 %
    /// come from noisy timings (other processes on the CPU, frequency scaling) or a device far
    /// from linear in the measured range, and would move simulated latencies by as much.
    public static let poorMaxRelativeError = 0.5
    /// Below this R² (0.9) the model explains too little of the variation to be trusted.
    public static let poorRSquared = 0.9

    /// What is wrong with the fit and what to do, or nil for a usable fit.
    public var warning: String? {
        guard maxRelativeError > Self.poorMaxRelativeError || rSquared < Self.poorRSquared else { return nil }
        return String(format: "poor fit: the largest error is %.0f %% and R² %.3f (a usable fit stays under %.0f %% and above %.2f); ",
                      maxRelativeError * 100, rSquared, Self.poorMaxRelativeError * 100, Self.poorRSquared)
            + "latencies simulated with this profile can be off by as much. `headroom validate-profile` shows which configurations "
            + "miss; calibrate again on an otherwise idle machine (noisy timings are the usual cause) before trusting it"
    }
}

extension CalibratedProfile {
    /// The errors of the fit the simulator runs: the knee or table fit's in those forms, else the linear one's.
    public var effectiveFitError: (rSquared: Double, maxRelativeError: Double) {
        if form == HardwareProfile.Form.table.rawValue, let table = tableFit { return (table.rSquared, table.maxRelativeError) }
        if form == HardwareProfile.Form.knee.rawValue, let knee = kneeFit { return (knee.rSquared, knee.maxRelativeError) }
        return (fit.rSquared, fit.maxRelativeError)
    }

    /// The warning for the fit the simulator runs (see `Fit.warning`).
    public var effectiveFitWarning: String? {
        let (rSquared, maxRelativeError) = effectiveFitError
        return Fit(base: 0, perSequence: 0, perPrefillToken: 0, perContextToken: 0, rSquared: rSquared, maxRelativeError: maxRelativeError).warning
    }
}
