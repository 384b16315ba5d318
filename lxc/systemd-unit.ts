/** A systemd service unit for a monitoring daemon inside its container, as typed data then text. */

export interface SystemdServiceProps {
  readonly description: string;
  /** Absolute path of the binary. */
  readonly binary: string;
  /** Command-line flags, one per element (they are shell-quoted where needed). @default [] */
  readonly args?: readonly string[];
  /** System user the daemon runs as. */
  readonly user: string;
  /** Directory under /var/lib that systemd creates and hands to `user` (StateDirectory=). @default - none */
  readonly stateDirectory?: string;
  /** Let a non-root daemon bind ports below 1024. @default false */
  readonly bindLowPorts?: boolean;
  /** Units to start after (and want). @default ['network-online.target'] */
  readonly after?: readonly string[];
  /** File of KEY=value lines loaded into the environment (secrets stay out of the unit). @default - none */
  readonly environmentFile?: string;
  /** Seconds systemd waits on stop before SIGKILL. @default 90 */
  readonly stopTimeoutSeconds?: number;
}

export interface SystemdOneshotProps {
  readonly description: string;
  /** Full command line. */
  readonly execStart: string;
  readonly execStop?: string;
}

/** Quote a flag for ExecStart only when it needs it (systemd splits on whitespace, honours double quotes). */
function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]*$/.test(arg) && arg !== '' ? arg : `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function lines(sections: Array<[string, Array<[string, string | number | undefined]>]>): string {
  return sections
    .map(([name, entries]) => [`[${name}]`, ...entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)].join('\n'))
    .join('\n\n') + '\n';
}

export function systemdService(props: SystemdServiceProps): string {
  const after = (props.after ?? ['network-online.target']).join(' ');
  const execStart = [props.binary, ...(props.args ?? []).map(quoteArg)].join(' \\\n  ');
  return lines([
    ['Unit', [['Description', props.description], ['Wants', after], ['After', after]]],
    ['Service', [
      ['User', props.user],
      ['Group', props.user],
      ['EnvironmentFile', props.environmentFile],
      ['ExecStart', execStart],
      ['ExecReload', '/bin/kill -HUP $MAINPID'],
      ['Restart', 'on-failure'],
      ['StateDirectory', props.stateDirectory],
      ['AmbientCapabilities', props.bindLowPorts ? 'CAP_NET_BIND_SERVICE' : undefined],
      ['TimeoutStopSec', props.stopTimeoutSeconds ?? 90],
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'full'],
      ['ProtectHome', 'yes'],
    ]],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}

export function systemdOneshot(props: SystemdOneshotProps): string {
  return lines([
    ['Unit', [['Description', props.description], ['Before', 'network-online.target']]],
    ['Service', [['Type', 'oneshot'], ['RemainAfterExit', 'yes'], ['ExecStart', props.execStart], ['ExecStop', props.execStop]]],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}
