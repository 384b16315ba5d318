/** One file of a synthesized tree, relative to the tree's root. */
export interface OutputFile {
  /** POSIX path relative to the tree root, e.g. "monitoring/prometheus.yaml". */
  readonly path: string;
  readonly content: string;
  /** File mode. @default 0o644 (0o755 for *.sh) */
  readonly mode?: number;
}
