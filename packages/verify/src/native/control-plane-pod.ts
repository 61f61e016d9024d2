/** The parts of a Kubernetes Pod the checks read (a client-node `V1Pod` fits). */
export interface ControlPlanePod {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
    }>;
  };
}
