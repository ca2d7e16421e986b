/// Upstream files pasted unchanged, llm-d-workload-variant-autoscaler@b08b1c77c89d284361e40b2a9315e93ef46e7022.
enum WVASamples {
    /// `config/samples/variantautoscaling-with-cost.yaml`
    static let variantsWithCost = #"""
        # Example: VariantAutoscaling with variantCost configuration
        # This demonstrates how to configure different costs for variants to enable
        # cost-based optimization in the capacity analyzer.
        #
        # Scenario: Two variants of the same model on different accelerators
        # - Premium variant on H100 (higher cost, faster performance)
        # - Standard variant on A100 (lower cost, standard performance)
        #
        # The capacity analyzer will prefer scaling the lower-cost variant when both
        # can handle the load, enabling cost optimization.
        #
        # Note: The accelerator type is determined by the deployment's actual hardware
        # and can be tracked via labels for operational clarity. The VariantAutoscaling
        # CR itself only specifies the cost via the variantCost field.

        ---
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-70b-premium-h100
          namespace: llm-inference
          labels:
            app: llm-inference
            model: llama-70b
            variant: premium
            accelerator: h100
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-70b-premium-h100

          # Model identifier (OpenAI API compatible)
          modelID: "meta/llama-3.1-70b"

          # Premium tier: H100 accelerator with higher cost
          variantCost: "80.0"  # Cost per replica (reflects H100 premium pricing)

        ---
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-70b-standard-a100
          namespace: llm-inference
          labels:
            app: llm-inference
            model: llama-70b
            variant: standard
            accelerator: a100
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-70b-standard-a100

          # Model identifier (same model as premium variant)
          modelID: "meta/llama-3.1-70b"

          # Standard tier: A100 accelerator with standard cost
          variantCost: "40.0"  # Cost per replica (standard A100 pricing)

        ---
        # Example: Budget variant with lower cost for best-effort workloads
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-8b-budget-t4
          namespace: llm-inference
          labels:
            app: llm-inference
            model: llama-8b
            variant: budget
            accelerator: t4
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-8b-budget-t4

          modelID: "meta/llama-3.1-8b"

          # Budget tier: Very low cost for cost-sensitive workloads
          variantCost: "5.0"  # Minimal cost for T4 GPUs

        ---
        # Example: Multi-tenant cost tracking
        # Assign different costs to the same accelerator for different tenants
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-8b-tenant-gold
          namespace: tenant-gold
          labels:
            tenant: gold
            model: llama-8b
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-8b-tenant-gold

          modelID: "meta/llama-3.1-8b"

          # Gold tenant: Premium pricing for priority service
          variantCost: "25.0"  # Higher cost reflects priority/SLA

        ---
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-8b-tenant-silver
          namespace: tenant-silver
          labels:
            tenant: silver
            model: llama-8b
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-8b-tenant-silver

          modelID: "meta/llama-3.1-8b"

          # Silver tenant: Standard pricing
          variantCost: "15.0"  # Standard cost

        ---
        # Note: If variantCost is not specified, it defaults to 10.0
        # Example of default behavior:
        apiVersion: llmd.ai/v1alpha1
        kind: VariantAutoscaling
        metadata:
          name: llama-8b-default-cost
          namespace: llm-inference
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: llama-8b-default-cost

          modelID: "meta/llama-3.1-8b"

          # variantCost omitted - will default to 10.0
        """#

    /// `deploy/examples/vllm-emulator/vllme-setup/vllme-variantautoscaling.yaml`
    static let vllmeVariant = #"""
        apiVersion: llmd.ai/v1alpha1
        # Optimizing a variant, create only when the model is deployed and serving traffic
        # this is for the collector the collect existing (previous) running metrics of the variant.
        kind: VariantAutoscaling
        metadata:
          # Unique name of the variant
          name: vllme-deployment 
          namespace: llm-d-sim
          labels:
            inference.optimization/acceleratorName: A100
        # This is essentially static input to the optimizer
        spec:
          # Reference to the target Deployment to scale (follows HPA pattern)
          scaleTargetRef:
            kind: Deployment
            name: vllme-deployment

          # OpenAI API compatible name of the model
          modelID: default/default

          # Optional: Specify cost per replica for saturation-based cost optimization
          # Used by capacity analyzer when multiple variants can handle the load
          # Default: 10.0, Validation: Must be >= 0
          # variantCost: 10.0
        """#

    /// `config/manager/configmap-saturation-scaling.yaml`
    static let managerConfigMap = #"""
        apiVersion: v1
        kind: ConfigMap
        # This ConfigMap defines saturation-based scaling thresholds for model variants.
        # Saturation scaling uses KV cache utilization and queue length metrics to determine
        # when replicas are saturated and when to scale up.
        #
        # Configuration structure:
        # - 'default' entry: Global default thresholds applied to all variants
        # - Override entries: Per-model/namespace custom thresholds (must include model_id and namespace)
        metadata:
          name: saturation-scaling-config
          namespace: workload-variant-autoscaler-system
          labels:
            app.kubernetes.io/name: workload-variant-autoscaler
            app.kubernetes.io/managed-by: kustomize
        data:
          # Global defaults applied to all variants unless overridden
          default: |
            kvCacheThreshold: 0.80
            queueLengthThreshold: 5
            kvSpareTrigger: 0.1
            queueSpareTrigger: 3
            # Enable GPU limiter to constrain scaling based on available cluster resources
            # When true, scale-up decisions are limited by available GPU capacity
            enableLimiter: false
        """#

    /// `deploy/configmap-saturation-scaling.yaml`
    static let deployConfigMap = #"""
        apiVersion: v1
        kind: ConfigMap
        # This ConfigMap defines saturation-based scaling thresholds for model variants.
        # Saturation scaling is enabled by default and uses KV cache utilization and queue length
        # metrics to determine when replicas are saturated and when to scale up.
        #
        # Configuration structure:
        # - 'default' entry: Global default thresholds applied to all variants
        # - Override entries: Per-model/namespace custom thresholds (must include model_id and namespace)
        #
        # Threshold definitions:
        # - kvCacheThreshold: Replica saturated if KV cache utilization >= threshold (0.0-1.0)
        # - queueLengthThreshold: Replica saturated if queue length >= threshold (integer)
        # - kvSpareTrigger: Scale-up signal if avg spare KV capacity < trigger (0.0-1.0)
        # - queueSpareTrigger: Scale-up signal if avg spare queue capacity < trigger (integer)
        #
        metadata:
          name: wva-saturation-scaling-config
          namespace: workload-variant-autoscaler-system
        data:
          # Global defaults applied to all variants unless overridden
          default: |
            kvCacheThreshold: 0.80
            queueLengthThreshold: 5
            kvSpareTrigger: 0.1
            queueSpareTrigger: 3
            # Enable GPU limiter to constrain scaling based on available cluster resources
            # When true, scale-up decisions are limited by available GPU capacity
            enableLimiter: false

          # Example per-model override for granite model in lab namespace
          # Uncomment and customize as needed
          # granite-override: |
          #   model_id: ibm/granite-13b
          #   namespace: lab-namespace
          #   kvCacheThreshold: 0.75
          #   queueLengthThreshold: 10
          #   kvSpareTrigger: 0.15
          #   queueSpareTrigger: 5

          # Example per-model override for llama model in production namespace
          # Shows partial override (only some fields specified, rest inherit from default)
          # llama-production: |
          #   model_id: meta/llama-70b
          #   namespace: production
          #   kvCacheThreshold: 0.85
          #   kvSpareTrigger: 0.15
        """#

    /// `config/samples/model-scale-to-zero-config.yaml`
    static let scaleToZeroConfigMap = #"""
        # ConfigMap for per-model scale-to-zero configuration
        #
        # This ConfigMap follows the same format as saturation-scaling-config:
        # - 'default' entry: Global default thresholds applied to all models
        # - Override entries: Per-model custom configuration (must include model_id)
        #
        # Configuration fields:
        #   - model_id (string): Model identifier (required for override entries)
        #   - namespace (string): Namespace for this override (optional)
        #   - enable_scale_to_zero (boolean): Enables scale-to-zero for this model
        #   - retention_period (string): Duration after last request before scaling to zero
        #                                 (e.g., "5m", "1h", "30s"). Optional, defaults to 10 minutes.
        #
        # Configuration priority (highest to lowest):
        #   1. Per-model configuration (specific model_id in override entry)
        #   2. Global defaults in this ConfigMap (key: "default")
        #   3. WVA_SCALE_TO_ZERO environment variable
        #   4. System default (disabled, 10-minute retention)

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: wva-model-scale-to-zero-config
          namespace: workload-variant-autoscaler-system
        data:
          # Global defaults applied to all models unless overridden
          default: |
            enable_scale_to_zero: true
            retention_period: "15m"

          # Example per-model override for llama model
          # Only override retention_period, inherit enable_scale_to_zero from defaults
          # Result: scale-to-zero ENABLED (from defaults) with 5-minute retention
          # llama-8b-override: |
          #   model_id: meta/llama-3.1-8b
          #   retention_period: "5m"

          # Example per-model override to DISABLE scale-to-zero
          # Result: minimum 1 replica maintained at all times
          # llama-70b-override: |
          #   model_id: meta/llama-3.1-70b
          #   enable_scale_to_zero: false

          # Example per-model override with namespace
          # llama-production: |
          #   model_id: meta/llama-3.1-8b
          #   namespace: production
          #   enable_scale_to_zero: true
          #   retention_period: "30m"

        # Note: Models not explicitly listed will inherit settings from "default".
        # If "default" is not specified, models fall back to the WVA_SCALE_TO_ZERO
        # environment variable, then system default (disabled).
        """#
}
