/** What loki.yaml says alike in single-binary and simple-scalable mode. */
import { durationSeconds, type Site } from '../../site';

/**
 * First day of the only schema period. Never change it once Loki has stored data: a schema
 * change is a new entry with a later `from` date, or existing chunks become unreadable.
 */
export const LOKI_SCHEMA_START = '2024-04-01';

/** Limits, the results cache, patterns and usage reports (names as in Loki's YAML). */
export interface LokiCommonSettings {
  limits_config: {
    retention_period: string;
    reject_old_samples: boolean;
    reject_old_samples_max_age: string;
    /** Needed by Grafana's Logs Drilldown (volume queries). */
    volume_enabled: boolean;
    /**
     * The log deletion API refuses every request (403): anyone who can reach port 3100 could
     * otherwise erase logs, the evidence an assessment keeps. Retention still deletes old chunks.
     */
    deletion_mode: 'disabled';
  };
  query_range: { results_cache: { cache: { embedded_cache: { enabled: boolean; max_size_mb: number } } } };
  /** Needed by Grafana's Logs Drilldown (patterns tab). */
  pattern_ingester: { enabled: boolean };
  /** No usage reports to stats.grafana.org from an on-premises monitoring VLAN. */
  analytics: { reporting_enabled: false };
}

/** Where retention and delete requests are kept: the volume (single binary) or the bucket (simple-scalable). */
export type LokiObjectStore = 'filesystem' | 's3';

/** The compactor block (names as in Loki's YAML), its delete request store in `store`. */
export interface LokiCompactorConfig<Store extends LokiObjectStore> {
  working_directory: string;
  compaction_interval: string;
  retention_enabled: true;
  retention_delete_delay: string;
  retention_delete_worker_count: number;
  delete_request_store: Store;
}

/** The compactor, applying retention, with its marks under `dataDir` and delete requests in `store`. */
export function lokiCompactor<Store extends LokiObjectStore>(dataDir: string, store: Store): LokiCompactorConfig<Store> {
  return {
    // Marker files of chunks awaiting deletion live here: it must be on the persistent volume.
    working_directory: `${dataDir}/compactor`,
    compaction_interval: '10m',
    retention_enabled: true,
    // Window in which a wrong retention setting can still be reverted before chunks go.
    retention_delete_delay: '2h',
    retention_delete_worker_count: 150,
    delete_request_store: store,
  };
}

/** Loki wants the retention in hours; the site gives whole days (checked in site/rules.ts). */
export function lokiRetentionHours(site: Site): string {
  const seconds = durationSeconds(site.loki.retention);
  if (seconds === undefined || seconds % 86400 !== 0) {
    throw new Error(`loki.retention: ${JSON.stringify(site.loki.retention)} is not a whole number of days; use e.g. 7d or 14d`);
  }
  return `${seconds / 3600}h`;
}

/** What both modes set alike: limits, the results cache, patterns, no usage reports. */
export function lokiCommonSettings(site: Site): LokiCommonSettings {
  return {
    limits_config: {
      retention_period: lokiRetentionHours(site),
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
      volume_enabled: true,
      deletion_mode: 'disabled',
    },
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    pattern_ingester: { enabled: true },
    analytics: { reporting_enabled: false },
  };
}
