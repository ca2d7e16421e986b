import HeadroomEngine

/// `preempt_lower_priority: true`: a pending replica that finds no room and cannot get a new node
/// evicts replicas of lower-priority deployments from one ready node of its pools, as the
/// Kubernetes scheduler preempts for a pod of a higher PriorityClass. The victims drain (finish
/// what they hold, as a graceful termination) and their ReplicaSets replace them at once; the
/// waiting replica, first in line by priority, takes the GPUs they free.
extension Simulation {
    /// Evicts enough lower-priority replicas for `replica` on the first node where that frees
    /// enough GPUs (fewest victims: lowest priority, newest first). Once per pending replica.
    mutating func preemptLowerPriority(for replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(replica)
        guard scenario.deployments[d].preemptLowerPriority, !replicas[r].claimedVictims else { return }
        let need = deployments[d].gpus, priority = deployments[d].priority
        for pool in deployments[d].pools {
            // Its ready nodes not under notice, oldest first (a rare path: a sort of the live ones).
            let ready = nodes.liveSlots.filter { nodes[$0].pool == pool && nodes[$0].state == .ready && nodes[$0].reclaimAt == .never }
            for n in ready.sorted(by: { nodes[$0].id < nodes[$1].id }) {
                // Lower-priority replicas on this node that still hold GPUs and are not leaving.
                var candidates = nodes[n].bound.filter {
                    deployments[owner($0)].priority < priority && replicas[replicaSlot($0)].stage != .draining && replicas[replicaSlot($0)].stage != .gone
                }
                let reclaimable = candidates.reduce(0) { $0 + gpus(of: $1) }
                guard nodes[n].freeGPUs + reclaimable >= need else { continue }
                candidates.sort { (deployments[owner($0)].priority, -$0) < (deployments[owner($1)].priority, -$1) }
                var freed = nodes[n].freeGPUs
                for victim in candidates where freed < need {
                    freed += gpus(of: victim)
                    let victimDeployment = owner(victim)
                    remove(victim, at: now, queue: &queue)
                    deployments[victimDeployment].metrics.preempted += 1
                    createReplica(victimDeployment, warm: false, at: now, queue: &queue)
                }
                replicas[r].claimedVictims = true
                return
            }
        }
    }
}
