import { z } from 'zod';

/** What lab to build. Shared by `startSandbox`, `etcd-dr sandbox up` and the supervisor. */
export const sandboxOptionsSchema = z
  .object({
    /** Which user-cluster topology to build. */
    topology: z.enum(['kubeception', 'controlplane-v2']),
    /** 3 etcd members (and API server replicas / control-plane nodes) when true, 1 otherwise. Default false. */
    ha: z.boolean().default(false),
    /** The lab's folder: kubeconfigs, etcd-dr.yaml, keys, logs, pod data. Created by `up`, removed by `down`. */
    dir: z.string().min(1),
    /** The user cluster's name (its namespace in the admin cluster for Kubeception). Default `user-cluster-1`. */
    userClusterName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .default('user-cluster-1'),
    /** The lab's private subnet, a /24 like `10.213.7.0/24`. Default: the first free `10.213.N.0/24`. */
    subnet: z
      .string()
      .regex(/^\d+\.\d+\.\d+\.0\/24$/, 'must be a /24 such as 10.213.7.0/24')
      .optional(),
    /** Reach every node (admin-cp and, for Controlplane V2, USER-cpN) only through node `jump-host`. Default false. */
    jumpHost: z.boolean().default(false),
  })
  .strict();

export type SandboxOptions = z.infer<typeof sandboxOptionsSchema>;
export type SandboxOptionsInput = z.input<typeof sandboxOptionsSchema>;
