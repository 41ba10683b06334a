/** Cloud-neutral settings of MLflow's backing store, shared by the GCP and AWS implementations. */

export interface DatabaseSettings {
  /** Cloud-neutral size; each cloud maps it to a tier / instance class. */
  size: "small" | "medium" | "large" | "xlarge";
  /** PostgreSQL major version (>= 15). */
  postgresVersion: number;
  /** Standby in another zone (Cloud SQL REGIONAL / RDS Multi-AZ). */
  highAvailability: boolean;
  /** Daily backups kept. */
  backupRetentionDays: number;
  /** Days of write-ahead log kept for point-in-time recovery. */
  pitrRetentionDays: number;
  /** Allocated storage (grows automatically). */
  diskSizeGb: number;
  /** The cloud's own deletion protection. */
  deletionProtection: boolean;
}

export interface ArtifactSettings {
  /** Noncurrent versions kept per object; older ones are deleted by lifecycle. */
  keepVersions: number;
  /** Allow deleting a non-empty bucket (dev only). */
  forceDestroy: boolean;
}
