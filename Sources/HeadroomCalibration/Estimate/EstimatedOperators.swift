/// A model's linear operators estimated from its shape at a GPU's fitted rates: no table of the
/// model itself, so it can be any `config.json` (dense or mixture-of-experts, GQA or MLA).
///
/// A dense layer is two norms, the attention projections, rotary embedding, the MLP's GEMMs and
/// activation, and two residual adds, each priced by `GPURates`; a mixture-of-experts layer
/// replaces the MLP by the router and the experts: at `T` tokens the weights read are those of
/// the expected distinct experts hit, `E × (1 − (1 − k/E)^T)` (all of them once `T` is large),
/// and the FLOPs those of the `T × k` routed tokens (the active parameters).
public struct EstimatedOperators: LayerOperators {
    public let model: MeasuredModel
    public let tp: Int
    public let rates: GPURates
    /// The `config.json` the shape came from.
    public let file: String
    public let tokenRange: ClosedRange<Double>

    public init(model: MeasuredModel, tp: Int, rates: GPURates, file: String, maxTokens: Int = MeasuredCalibration.longestPrefill)
    {
        self.model = model
        self.tp = tp
        self.rates = rates
        self.file = file
        tokenRange = 1...Double(max(1, maxTokens))
    }

    public func layer(tokens: Int) throws(TableError) -> Double {
        let t = Double(tokens)
        var shared: Double = 2 * rates.seconds(model.norm(tokens: t))
        shared += rates.seconds(model.rope(tokens: t, tp: tp))
        shared += 2 * rates.seconds(model.add(tokens: t))
        for work in attentionProjections(tokens: t) { shared += rates.seconds(work) }
        let denseMLP = mlp(tokens: t, width: model.intermediate / tp)
        guard let moe = model.architecture.experts else { return shared + denseMLP }
        var sparse = experts(tokens: t, moe: moe)
        if moe.sharedIntermediate > 0 { sparse += mlp(tokens: t, width: moe.sharedIntermediate / tp) }
        let dense = Double(min(moe.denseLayers, model.layers)), layers = Double(model.layers)
        return shared + (dense * denseMLP + (layers - dense) * sparse) / layers
    }

    public func once(tokens: Int, sequences: Int) throws(TableError) -> Double {
        let t = Double(tokens)
        let head = OperatorWork.gemm(tokens: Double(sequences), k: model.hidden, n: model.vocab / tp)
        return rates.seconds(model.embedding(tokens: t)) + rates.seconds(model.norm(tokens: t)) + rates.seconds(head)
    }

    /// Q, K, V (fused or not) and the output projection on one GPU; MLA's down- and
    /// up-projections in its place.
    func attentionProjections(tokens t: Double) -> [OperatorWork] {
        let h = model.hidden, heads = model.headsPerGPU(tp: tp)
        if let mla = model.architecture.latentAttention {
            let qHead = mla.nopeHeadDim + mla.ropeHeadDim
            var works: [OperatorWork] = []
            if let rank = mla.qLoraRank {
                works.append(.gemm(tokens: t, k: h, n: rank))
                works.append(.gemm(tokens: t, k: rank, n: heads * qHead))
            } else {
                works.append(.gemm(tokens: t, k: h, n: heads * qHead))
            }
            works.append(.gemm(tokens: t, k: h, n: mla.kvLoraRank + mla.ropeHeadDim))
            works.append(.gemm(tokens: t, k: mla.kvLoraRank, n: heads * (mla.nopeHeadDim + mla.valueHeadDim)))
            works.append(.gemm(tokens: t, k: heads * mla.valueHeadDim, n: h))
            return works
        }
        let q = heads * model.headDim, kv = model.kvHeadsPerGPU(tp: tp) * model.headDim
        var works: [OperatorWork]
        if rates.style == .fused {
            works = [.gemm(tokens: t, k: h, n: q + 2 * kv)]
        } else {
            works = [.gemm(tokens: t, k: h, n: q), .gemm(tokens: t, k: h, n: kv), .gemm(tokens: t, k: h, n: kv)]
        }
        works.append(.gemm(tokens: t, k: q, n: h))
        return works
    }

    /// A dense MLP of `width` units on one GPU.
    func mlp(tokens t: Double, width: Int) -> Double {
        var works: [OperatorWork]
        if model.gatedMLP && rates.style == .fused {
            works = [.gemm(tokens: t, k: model.hidden, n: 2 * width)]
        } else if model.gatedMLP {
            works = [.gemm(tokens: t, k: model.hidden, n: width), .gemm(tokens: t, k: model.hidden, n: width)]
        } else {
            works = [.gemm(tokens: t, k: model.hidden, n: width)]
        }
        works.append(model.activation(tokens: t, width: width))
        works.append(.gemm(tokens: t, k: width, n: model.hidden))
        var total = 0.0
        for work in works { total += rates.seconds(work) }
        return total
    }

    /// The router and the routed experts of one layer on one GPU.
    func experts(tokens t: Double, moe: MeasuredModel.MixtureOfExperts) -> Double {
        let router = rates.seconds(.gemm(tokens: t, k: model.hidden, n: moe.count))
        let routed: Double = t * Double(moe.perToken), hit = moe.hitProbability(tokens: t)
        switch rates.style {
        case .perModule:
            // Whole experts, E / tp per GPU, one call each per hit expert at its share of the tokens.
            let share: Double = routed / (Double(moe.count) * hit)
            let perGPU: Double = Double(moe.count) / Double(tp) * hit
            return router + perGPU * mlp(tokens: share, width: moe.intermediate)
        case .fused:
            // One grouped GEMM per projection over the experts hit, each expert's width split over the GPUs.
            let width = moe.intermediate / tp, upWidth = (model.gatedMLP ? 2 : 1) * width
            let hidden = Double(model.hidden)
            let hitWeights: Double = moe.expectedExpertsHit(tokens: t) * hidden * Double(width)
            let upBytes: Double = 2 * (hitWeights * Double(upWidth / width) + routed * (hidden + Double(upWidth)))
            let up = OperatorWork(kind: .gemm, bytes: upBytes, flops: 2 * routed * hidden * Double(upWidth))
            let downBytes: Double = 2 * (hitWeights + routed * (Double(width) + hidden))
            let down = OperatorWork(kind: .gemm, bytes: downBytes, flops: 2 * routed * Double(width) * hidden)
            let act = model.activation(tokens: routed, width: width)
            return router + rates.seconds(up) + rates.seconds(act) + rates.seconds(down)
        }
    }

    public var description: String {
        var text =
            "the shape in \(file): \(model.layers) layers of \(rates.style == .fused ? "fused" : "per-module") "
            + "operators priced as max(bytes / bandwidth, FLOPs / FLOP rate) + per-call overhead"
        if let moe = model.architecture.experts {
            text += String(
                format: ", %d of %d experts per token (%.1f B active of %.1f B parameters; weights read for the expected experts "
                    + "hit under uniform routing)", moe.perToken, moe.count, model.activeParameters / 1e9,
                model.totalParameters / 1e9)
        }
        if model.architecture.latentAttention != nil { text += ", latent attention (MLA) cache" }
        return text + "; rates: " + rates.summary
    }
}
