import HeadroomEngine
import Testing

@testable import Headroom

/// Pasted VariantAutoscalings and ConfigMaps: upstream samples accepted unchanged, refusals that
/// name the file, line, column and YAML path.
struct WVASpecYAMLTests {
    static func refusal(_ yaml: String) -> String {
        do {
            _ = try WVASpec.parse(yaml: yaml, file: "wva.yaml")
            return "accepted"
        } catch { return error.description }
    }

    static let variant = """
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-a100
          labels:
            inference.optimization/acceleratorName: A100
        spec:
          scaleTargetRef:
            kind: Deployment
            name: llama-a100
          modelID: meta/llama
          variantCost: "40.0"
        """

    @Test("config/samples/variantautoscaling-with-cost.yaml: six variants, four models, costs as written, default 10")
    func costSample() throws {
        let spec = try WVASpec.parse(yaml: WVASamples.variantsWithCost)
        #expect(spec.variants.map(\.cost) == [80, 40, 5, 25, 15, 10])
        #expect(spec.variants.allSatisfy { $0.acceleratorLabel == nil })
        #expect(
            spec.models.map { "\($0.namespace)/\($0.modelID):\($0.variants.count)" }
                == [
                    "llm-inference/meta/llama-3.1-70b:2", "llm-inference/meta/llama-3.1-8b:2", "tenant-gold/meta/llama-3.1-8b:1",
                    "tenant-silver/meta/llama-3.1-8b:1",
                ])
        #expect(spec.saturation == .shipped && spec.scaleToZero(for: "meta/llama-3.1-8b") == .disabled)
    }

    @Test("vllme VA and the shipped ConfigMaps paste in together; scale-to-zero default on with 15m")
    func shippedConfigMaps() throws {
        for configMap in [WVASamples.managerConfigMap, WVASamples.deployConfigMap] {
            let spec = try WVASpec.parse(
                yaml: [WVASamples.vllmeVariant, configMap, WVASamples.scaleToZeroConfigMap].joined(separator: "\n---\n"))
            #expect(spec.variants.map(\.acceleratorLabel) == ["A100"] && spec.variants[0].namespace == "llm-d-sim")
            #expect(spec.saturation == .shipped && spec.saturation.analyzer == .v1)
            #expect(spec.scaleToZero(for: "default/default") == WVAScaleToZeroConfig(enabled: true, retention: .minutes(15)))
        }
    }

    @Test("analyzerName: saturation selects V2 with the default thresholds; explicit ones are kept")
    func v2() throws {
        let configMap = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: wva-saturation-scaling-config}
            data:
              default: |
                kvCacheThreshold: 0.8
                queueLengthThreshold: 5
                kvSpareTrigger: 0.1
                queueSpareTrigger: 3
                analyzerName: saturation
                scaleDownBoundary: 0.6
            """
        let spec = try WVASpec.parse(yaml: Self.variant + "\n---\n" + configMap)
        #expect(
            spec.saturation.analyzer == .v2 && spec.saturation.scaleUpThreshold == 0.85
                && spec.saturation.scaleDownBoundary == 0.6)
        #expect(spec.autoscaler(for: "meta/llama").config == spec.saturation)
    }

    @Test("Unknown and misspelt keys are refused with their path, line and column, and a suggestion")
    func unknownKeys() {
        let typo = Self.variant.replacingOccurrences(of: "variantCost:", with: "variantCosts:")
        #expect(
            Self.refusal(typo)
                == "wva.yaml:12:3: [0].spec.variantCosts: unknown key `variantCosts`; did you mean `variantCost`? allowed: scaleTargetRef, modelID, variantCost"
        )
        let inner =
            Self.variant + "\n---\n" + """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: wva-saturation-scaling-config
                data:
                  default: |
                    kvCacheThreshold: 0.80
                    queueLenghtThreshold: 5
                """
        #expect(
            Self.refusal(inner).hasPrefix(
                "wva.yaml:21:5: [1].data.default.queueLenghtThreshold: unknown key `queueLenghtThreshold`; did you mean `queueLengthThreshold`?"
            ))
        #expect(
            Self.refusal(Self.variant.replacingOccurrences(of: "kind: VariantAutoscaling", with: "kind: VariantAutoscaler"))
                == "wva.yaml:2:7: [0].kind: unknown kind `VariantAutoscaler`; did you mean `VariantAutoscaling`? allowed: VariantAutoscaling, ConfigMap"
        )
    }

    @Test("Values upstream would refuse, ignore or misread are refused, each naming why")
    func refusals() {
        let cases: [(String, String, String)] = [
            ("variantCost: \"40.0\"", "variantCost: 40.0", "[0].spec.variantCost: variantCost is a string in the CRD"),
            ("variantCost: \"40.0\"", "variantCost: \"-4\"", "[0].spec.variantCost: variantCost must match"),
            ("apiVersion: llmd.ai/v1alpha1", "apiVersion: llmd.ai/v1", "[0].apiVersion: expected `llmd.ai/v1alpha1`"),
            ("    kind: Deployment", "    kind: StatefulSet", "[0].spec.scaleTargetRef.kind: WVA scales a Deployment"),
            ("  modelID: meta/llama\n", "", "[0].spec: missing required key `modelID`"),
        ]
        for (old, new, expected) in cases {
            let text = Self.refusal(Self.variant.replacingOccurrences(of: old, with: new))
            #expect(text.contains(expected), "\(text)")
        }
        func configMap(_ body: String) -> String {
            Self.refusal(
                Self.variant + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: wva-saturation-scaling-config}\ndata:\n"
                    + body)
        }
        let full =
            "  default: |\n    kvCacheThreshold: 0.80\n    queueLengthThreshold: 5\n    kvSpareTrigger: 0.1\n    queueSpareTrigger: 3\n"
        #expect(
            configMap(full + "    enableLimiter: true\n").contains(
                "[1].data.default.enableLimiter: the GPU limiter is not modelled"))
        #expect(
            configMap(full + "    analyzerName: saturaton\n").contains(
                "unknown analyzerName `saturaton`; did you mean `saturation`?"))
        #expect(
            configMap(full.replacingOccurrences(of: "0.80", with: "0.05")).contains(
                "[1].data.default.kvCacheThreshold: kvCacheThreshold (0.05) should be >= kvSpareTrigger (0.10)"))
        #expect(
            configMap(full + "    analyzerName: saturation\n    scaleUpThreshold: 0.6\n").contains(
                "scaleUpThreshold (0.60) must be > scaleDownBoundary (0.70)"))
        #expect(
            configMap("  default: |\n    kvCacheThreshold: 0.80\n").contains(
                "[1].data.default: missing `queueLengthThreshold`: upstream reads an omitted threshold as 0"))
        #expect(
            configMap(full + "  llama: |\n    model_id: meta/llama\n    kvCacheThreshold: 0.7\n").contains(
                "wva.yaml:23:3: [1].data.llama: WVA at b08b1c7 reads only the `default` entry"))
        #expect(Self.refusal(WVASamples.managerConfigMap).contains("no VariantAutoscaling"))
        #expect(
            Self.refusal(Self.variant + "\n---\n" + Self.variant).contains("a second VariantAutoscaling `default/llama-a100`"))
    }
}
