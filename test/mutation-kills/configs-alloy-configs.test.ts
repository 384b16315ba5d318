/**
 * The two Alloy configs built inside each test (mutation testing, issue 18): the cluster log
 * collector's and the syslog gateway's config.alloy, written out in full for one site, and what
 * each option adds or removes. The component tests build them at load, and Alloy's own parser
 * (test/upstream) runs in a child process: neither is attributed per test.
 */
import { clusterLogBlocks, clusterLogConfig, clusterLogStreams } from '../../charts/logs/cluster-logs-config';
import { alloySyslogConfig, syslogListeners } from '../../charts/syslog/alloy-config';
import { parseSite, type SiteInput } from '../../site';

const site = (input: SiteInput) => parseSite(input).site;

describe('the cluster log collector', () => {
  test('pods and events of a site in namespace obs, pushed to its Loki', () => {
    expect(clusterLogConfig(site({ kubernetes: { namespace: 'obs' } }))).toBe(`discovery.kubernetes "pods" {
	role = "pod"
}

discovery.relabel "pods" {
	targets = discovery.kubernetes.pods.targets

	rule {
		source_labels = ["__meta_kubernetes_pod_phase"]
		regex         = "Pending"
		action        = "drop"
	}

	rule {
		source_labels = ["__meta_kubernetes_namespace"]
		target_label  = "namespace"
	}

	rule {
		source_labels = ["__meta_kubernetes_pod_name"]
		target_label  = "pod"
	}

	rule {
		source_labels = ["__meta_kubernetes_pod_container_name"]
		target_label  = "container"
	}

	rule {
		source_labels = ["__meta_kubernetes_pod_node_name"]
		target_label  = "host"
	}

	rule {
		source_labels = ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"]
		separator     = "/"
		target_label  = "job"
	}
}

loki.source.kubernetes "pods" {
	targets    = discovery.relabel.pods.output
	forward_to = [loki.process.kubernetes.receiver]
}

loki.source.kubernetes_events "events" {
	job_name   = "kubernetes-events"
	log_format = "logfmt"
	forward_to = [loki.process.kubernetes.receiver]
}

loki.process "kubernetes" {
	forward_to = [loki.write.loki.receiver]

	stage.static_labels {
		values = {
			source = "kubernetes",
		}
	}
}

loki.write "loki" {
	endpoint {
		url = "http://loki.obs.svc:3100/loki/api/v1/push"
	}
}
`);
  });

  test('events only: no pod discovery; neither: no config at all', () => {
    const events = site({ integrations: { logs: { pods: false } } });
    expect(clusterLogStreams(events)).toEqual({ pods: false, events: true });
    expect(clusterLogBlocks(events).map((b) => `${b.name}.${b.label}`)).toEqual(['loki.source.kubernetes_events.events', 'loki.process.kubernetes', 'loki.write.loki']);
    const pods = site({ integrations: { logs: { events: false } } });
    expect(clusterLogBlocks(pods).map((b) => `${b.name}.${b.label}`)).toEqual(['discovery.kubernetes.pods', 'discovery.relabel.pods', 'loki.source.kubernetes.pods', 'loki.process.kubernetes', 'loki.write.loki']);
    expect(clusterLogBlocks(site({ integrations: { logs: { pods: false, events: false } } }))).toEqual([]);
  });
});

describe('the syslog gateway', () => {
  test('UDP RFC 3164 with whole 64 KiB datagrams and TCP RFC 5424, labels from the header, to Loki on loopback', () => {
    expect(alloySyslogConfig(site({}))).toBe(`loki.relabel "syslog" {
	forward_to = []

	rule {
		source_labels = ["__syslog_message_hostname"]
		target_label  = "host"
	}

	rule {
		source_labels = ["__syslog_connection_ip_address"]
		target_label  = "source_ip"
	}

	rule {
		source_labels = ["__syslog_message_app_name"]
		target_label  = "app"
	}

	rule {
		source_labels = ["__syslog_message_severity"]
		target_label  = "level"
	}

	rule {
		source_labels = ["__syslog_message_facility"]
		target_label  = "facility"
	}
}

loki.source.syslog "gateway" {
	relabel_rules = loki.relabel.syslog.rules
	forward_to    = [loki.write.loki.receiver]

	listener {
		address                = "0.0.0.0:1514"
		protocol               = "udp"
		syslog_format          = "rfc3164"
		use_incoming_timestamp = false
		labels                 = {
			job       = "syslog",
			source    = "syslog",
			transport = "udp",
		}
		max_message_length = 65536
	}

	listener {
		address                = "0.0.0.0:1514"
		protocol               = "tcp"
		syslog_format          = "rfc5424"
		use_incoming_timestamp = true
		labels                 = {
			job       = "syslog",
			source    = "syslog",
			transport = "tcp",
		}
	}
}

loki.write "loki" {
	endpoint {
		url = "http://127.0.0.1:3100/loki/api/v1/push"
	}
}
`);
  });

  test('without TCP only the UDP listener; Talos logs add their receiver before the writer', () => {
    const udpOnly = site({ syslog: { tcp: false } });
    expect(syslogListeners(udpOnly)).toEqual([{ transport: 'udp', format: 'rfc3164' }]);
    const text = alloySyslogConfig(udpOnly, { talosLogs: true });
    expect(text).not.toMatch(/protocol\s*=\s*"tcp"/);
    expect(text).toMatch(/protocol\s*=\s*"udp"/);
    expect(text.indexOf('otelcol.receiver.tcplog "talos"')).toBeGreaterThan(text.indexOf('loki.source.syslog "gateway"'));
    expect(text.indexOf('otelcol.receiver.tcplog "talos"')).toBeLessThan(text.indexOf('loki.write "loki"'));
    expect(alloySyslogConfig(udpOnly)).not.toContain('talos');
  });
});
