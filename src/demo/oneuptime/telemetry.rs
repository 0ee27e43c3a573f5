//! The OneUptime demo's telemetry rows: for Acme, two hours of logs, traces of the checkout
//! path, metrics, exception instances, monitor logs of three monitors, a few security events
//! and Kubernetes cost allocations; for Globex, a handful of logs (so tenant isolation shows on
//! telemetry too). Times are relative to start-up; nothing is random.

use super::seed::{Monitors, Seeder};
use serde_json::{Value, json};

/// An OpenTelemetry service (OneUptime's `serviceId`): id, `service.name`, host.
type Service = (&'static str, &'static str, &'static str);

const CHECKOUT: Service = (
    "5e000001-0001-4000-8000-000000000001",
    "checkout-service",
    "checkout-7d9f8-x2k4q",
);
const PAYMENTS: Service = (
    "5e000001-0001-4000-8000-000000000002",
    "payments-service",
    "payments-5c6b7-m8z1p",
);
const SEARCH: Service = (
    "5e000001-0001-4000-8000-000000000003",
    "search-indexer",
    "search-indexer-0",
);
const INBOX: Service = (
    "5e000001-0001-4000-8000-000000000004",
    "inbox-worker",
    "inbox-worker-1",
);
const AUTH: Service = (
    "5e000001-0001-4000-8000-000000000005",
    "auth-service",
    "auth-6f7c8-q4w2e",
);
const GLOBEX_INTRANET: Service = (
    "5e000001-0002-4000-8000-000000000001",
    "intranet-app",
    "intranet-staging-1",
);

fn severity_number(text: &str) -> i64 {
    match text {
        "Trace" => 1,
        "Debug" => 5,
        "Information" => 9,
        "Warning" => 13,
        "Error" => 17,
        _ => 21,
    }
}

fn trace_id(n: u128) -> String {
    format!(
        "{:032x}",
        0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_0000_u128 + n
    )
}

fn span_id(n: u64) -> String {
    format!("{:016x}", 0x00f0_67aa_0ba9_0000_u64 + n)
}

fn attributes(service: Service, environment: &str) -> Value {
    json!({
        "service.name": service.1,
        "host.name": service.2,
        "deployment.environment": environment,
    })
}

/// Logs, one every two minutes over the last two hours.
const LOG_LINES: [(&str, Service, &str); 15] = [
    ("Information", CHECKOUT, "POST /v1/checkout 200 in {ms} ms"),
    ("Debug", CHECKOUT, "Cart c-{n} loaded from redis in 3 ms"),
    (
        "Information",
        PAYMENTS,
        "Charge authorised for order A-{n} (EUR {amount})",
    ),
    (
        "Warning",
        PAYMENTS,
        "Connection pool at 92% (46/50) on pg-payments-1",
    ),
    (
        "Information",
        SEARCH,
        "Indexed 1204 product documents in {ms} ms",
    ),
    (
        "Error",
        SEARCH,
        "Failed to reach search-3.internal:9200: connect ECONNREFUSED 10.0.3.14:9200",
    ),
    ("Trace", CHECKOUT, "Exported 128 spans to the collector"),
    ("Information", INBOX, "Processed 36 inbound e-mails"),
    ("Warning", CHECKOUT, "Slow query on orders: {ms} ms"),
    (
        "Error",
        PAYMENTS,
        "Replica pg-payments-2 lag 640 s exceeds threshold 300 s",
    ),
    ("Information", AUTH, "Issued token for client portal-web"),
    ("Debug", PAYMENTS, "Refreshing FX rates from provider"),
    ("Warning", INBOX, "Disk /var at 86% on inbox-worker-1"),
    (
        "Fatal",
        SEARCH,
        "search-indexer exited: no reachable cluster nodes after 30 retries",
    ),
    (
        "Information",
        PAYMENTS,
        "Webhook delivered to merchant endpoint in {ms} ms",
    ),
];

fn logs(s: &mut Seeder) {
    for i in 0..60_i64 {
        let (severity, service, template) = LOG_LINES[(i as usize) % LOG_LINES.len()];
        let body = template
            .replace("{ms}", &(120 + (i * 37) % 700).to_string())
            .replace("{n}", &(48_211 + i * 7).to_string())
            .replace(
                "{amount}",
                &format!("{}.{:02}", 20 + i % 80, (i * 13) % 100),
            );
        let secs = (120 - 2 * i) * 60 - (i * 17) % 60;
        let n = u64::try_from(i).unwrap_or_default();
        let time = s.ago_secs(secs);
        let nano = s.unix_nano_ago(secs);
        s.add_secs(
            "logs",
            secs,
            json!({
                "time": time,
                "timeUnixNano": nano,
                "severityText": severity,
                "severityNumber": severity_number(severity),
                "body": body,
                "serviceId": service.0,
                "traceId": trace_id(100 + u128::from(n)),
                "spanId": span_id(100 + n),
                "attributes": attributes(service, "production"),
            }),
        );
    }
}

/// Five traces of a checkout, four spans each; the third failed.
fn spans(s: &mut Seeder) {
    for t in 0..5_u64 {
        let failed = t == 2;
        let start = i64::try_from(100 - 20 * t).unwrap_or_default() * 60;
        let total_ms: i64 = [182, 240, 1310, 205, 199][t as usize % 5];
        let trace = trace_id(u128::from(t));
        let root = span_id(t * 10);
        let spans = [
            (
                "POST /v1/checkout",
                "SPAN_KIND_SERVER",
                CHECKOUT,
                None,
                0,
                total_ms,
                failed,
            ),
            (
                "checkout.validate_cart",
                "SPAN_KIND_INTERNAL",
                CHECKOUT,
                Some(root.clone()),
                2,
                11,
                false,
            ),
            (
                "SELECT orders",
                "SPAN_KIND_CLIENT",
                CHECKOUT,
                Some(root.clone()),
                15,
                if failed { 812 } else { 35 },
                false,
            ),
            (
                "POST /v1/charges",
                "SPAN_KIND_SERVER",
                PAYMENTS,
                Some(root.clone()),
                60,
                total_ms - 80,
                failed,
            ),
        ];
        for (k, (name, kind, service, parent, offset_ms, duration_ms, error)) in
            spans.into_iter().enumerate()
        {
            let start_nano = s.unix_nano_ago(start) + offset_ms * 1_000_000;
            let end_nano = start_nano + duration_ms * 1_000_000;
            let start_time = s.ago_ms(start * 1000 - offset_ms);
            let end_time = s.ago_ms(start * 1000 - offset_ms - duration_ms);
            let status_code = if error { 502 } else { 200 };
            s.add_secs(
                "span",
                start,
                json!({
                    "name": name,
                    "traceId": trace,
                    "spanId": if k == 0 { root.clone() } else { span_id(t * 10 + k as u64) },
                    "parentSpanId": parent.unwrap_or_default(),
                    "kind": kind,
                    "serviceId": service.0,
                    "startTime": start_time,
                    "endTime": end_time,
                    "startTimeUnixNano": start_nano,
                    "endTimeUnixNano": end_nano,
                    "durationUnixNano": duration_ms * 1_000_000,
                    "statusCode": if error { 2 } else { 1 },
                    "statusMessage": if error { "upstream payments-service timed out" } else { "" },
                    "attributes": {
                        "service.name": service.1,
                        "http.method": "POST",
                        "http.status_code": status_code,
                    },
                }),
            );
        }
    }
}

/// Four metrics, five points each over the last hour.
fn metrics(s: &mut Seeder) {
    let series = [
        (
            "http.server.request.duration",
            "Duration of HTTP server requests.",
            "ms",
            "Histogram",
            CHECKOUT,
            [182.0, 195.0, 240.0, 410.0, 188.0],
        ),
        (
            "system.cpu.utilization",
            "CPU utilisation of the host.",
            "1",
            "Gauge",
            SEARCH,
            [0.42, 0.47, 0.91, 0.97, 0.12],
        ),
        (
            "db.client.connections.usage",
            "Connections in use in the pool.",
            "{connection}",
            "Gauge",
            PAYMENTS,
            [31.0, 38.0, 46.0, 47.0, 44.0],
        ),
        (
            "process.memory.usage",
            "Resident memory of the process.",
            "By",
            "Gauge",
            INBOX,
            [3.1e8, 3.3e8, 3.2e8, 3.6e8, 3.4e8],
        ),
    ];
    for (name, description, unit, point_type, service, values) in series {
        for (k, value) in values.into_iter().enumerate() {
            let secs = (60 - 12 * k as i64) * 60;
            let time = s.ago_secs(secs);
            s.add_secs(
                "metrics",
                secs,
                json!({
                    "name": name,
                    "description": description,
                    "unit": unit,
                    "metricPointType": point_type,
                    "time": time,
                    "value": value,
                    "serviceId": service.0,
                    "attributes": attributes(service, "production"),
                }),
            );
        }
    }
}

fn exceptions(s: &mut Seeder) {
    let kinds = [
        (
            "ConnectionRefusedError",
            "connect ECONNREFUSED 10.0.3.14:9200",
            SEARCH,
            "9f2c4e1a7b3d5f60",
            "ConnectionRefusedError: connect ECONNREFUSED 10.0.3.14:9200\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)\n    at ClusterClient.ping (/app/src/search/client.ts:88:11)",
            &[25_i64, 18, 9][..],
        ),
        (
            "TimeoutError",
            "Query read timeout after 30000 ms",
            PAYMENTS,
            "41d8a0c3e6b27f95",
            "TimeoutError: Query read timeout after 30000 ms\n    at Pool.query (/app/node_modules/pg-pool/index.js:45:11)\n    at RefundService.balance (/app/src/refunds/service.ts:132:27)",
            &[120, 95][..],
        ),
        (
            "TypeError",
            "Cannot read properties of undefined (reading 'sku')",
            CHECKOUT,
            "b7e13f9d02ac6458",
            "TypeError: Cannot read properties of undefined (reading 'sku')\n    at lineItemsToOrder (/app/src/checkout/order.ts:57:31)\n    at CheckoutController.place (/app/src/checkout/controller.ts:114:18)",
            &[3 * 24 * 60 + 1, 70][..],
        ),
        (
            "OutOfMemoryError",
            "Java heap space",
            SEARCH,
            "0c5a9e7f31d4b826",
            "java.lang.OutOfMemoryError: Java heap space\n\tat org.elasticsearch.common.util.BigArrays.newByteArray(BigArrays.java:481)\n\tat org.elasticsearch.index.IndexService.refresh(IndexService.java:912)",
            &[26][..],
        ),
    ];
    let mut n = 0_u64;
    for (kind, message, service, fingerprint, stack, minutes) in kinds {
        for m in minutes {
            n += 1;
            let time = s.ago(*m);
            s.add(
                "exceptions",
                *m,
                json!({
                    "exceptionType": kind,
                    "message": message,
                    "stackTrace": stack,
                    "fingerprint": fingerprint,
                    "time": time,
                    "serviceId": service.0,
                    "traceId": trace_id(500 + u128::from(n)),
                    "spanId": span_id(500 + n),
                    "escaped": kind == "OutOfMemoryError",
                    "attributes": attributes(service, "production"),
                }),
            );
        }
    }
}

/// Probe results of Checkout API, Payments DB and Search Cluster every five minutes.
fn monitor_logs(s: &mut Seeder, monitors: &Monitors) {
    let id = |name: &str| monitors.get(name).cloned().unwrap_or_default();
    for k in 0..10_i64 {
        let minutes = 50 - 5 * k;
        let time = s.ago(minutes);
        let bodies = [
            (
                "Checkout API",
                json!({
                    "isOnline": true,
                    "responseTimeInMs": 140 + (k * 23) % 90,
                    "responseCode": 200,
                    "requestUrl": "https://api.acme.io/v1/checkout/health",
                    "probeName": "Frankfurt",
                }),
            ),
            (
                "Payments DB",
                json!({
                    "isOnline": true,
                    "responseTimeInMs": 40 + (k * 71) % 400,
                    "hostname": "payments-db.internal.acme.io",
                    "port": 5432,
                    "probeName": "Frankfurt",
                }),
            ),
            (
                "Search Cluster",
                if minutes <= 27 {
                    json!({
                        "isOnline": false,
                        "failureCause": "connect ECONNREFUSED 10.0.3.14:9200",
                        "requestUrl": "https://search.internal.acme.io/_cluster/health",
                        "probeName": "Frankfurt",
                    })
                } else {
                    json!({
                        "isOnline": true,
                        "responseTimeInMs": 61 + k,
                        "responseCode": 200,
                        "requestUrl": "https://search.internal.acme.io/_cluster/health",
                        "probeName": "Frankfurt",
                    })
                },
            ),
        ];
        for (name, mut body) in bodies {
            body["monitorId"] = json!(id(name));
            s.add(
                "monitor-log",
                minutes,
                json!({"monitorId": id(name), "time": time, "logBody": body}),
            );
        }
    }
}

fn security_events(s: &mut Seeder) {
    for (minutes, event, severity, message, ip, user, service) in [
        (
            95,
            "authentication.failure",
            "High",
            "23 failed logins for admin@acme.io in 5 minutes",
            "185.220.101.4",
            "admin@acme.io",
            AUTH,
        ),
        (
            52,
            "waf.block",
            "Medium",
            "SQL injection pattern blocked on /v1/search",
            "45.155.205.233",
            "",
            CHECKOUT,
        ),
        (
            14,
            "privilege.change",
            "Low",
            "Role ProjectAdmin granted to ci-bot by jane@acme.io",
            "10.0.8.21",
            "jane@acme.io",
            AUTH,
        ),
    ] {
        let time = s.ago(minutes);
        s.add(
            "security-events",
            minutes,
            json!({
                "eventType": event,
                "severityText": severity,
                "message": message,
                "sourceIp": ip,
                "userName": user,
                "time": time,
                "serviceId": service.0,
                "attributes": attributes(service, "production"),
            }),
        );
    }
}

fn kubernetes_costs(s: &mut Seeder) {
    for (namespace, workload, kind, cpu, memory, storage, network) in [
        (
            "checkout",
            "checkout-service",
            "Deployment",
            14.2,
            6.8,
            0.0,
            1.1,
        ),
        (
            "payments",
            "payments-service",
            "Deployment",
            9.6,
            5.1,
            0.0,
            0.7,
        ),
        (
            "search",
            "elasticsearch",
            "StatefulSet",
            31.5,
            22.4,
            8.9,
            2.3,
        ),
        (
            "monitoring",
            "otel-collector",
            "DaemonSet",
            3.2,
            2.0,
            0.0,
            0.4,
        ),
    ] {
        let time = s.ago(60);
        let total: f64 = cpu + memory + storage + network;
        s.add(
            "kubernetes-cost-allocation",
            60,
            json!({
                "clusterName": "acme-prod-eu",
                "namespace": namespace,
                "workloadName": workload,
                "workloadType": kind,
                "currency": "USD",
                "time": time,
                "cpuCost": cpu,
                "memoryCost": memory,
                "storageCost": storage,
                "networkCost": network,
                "totalCost": (total * 100.0).round() / 100.0,
            }),
        );
    }
}

/// Acme's telemetry.
pub fn acme(s: &mut Seeder, monitors: &Monitors) {
    logs(s);
    spans(s);
    metrics(s);
    exceptions(s);
    monitor_logs(s, monitors);
    security_events(s);
    kubernetes_costs(s);
}

/// Globex's telemetry: three logs.
pub fn globex(s: &mut Seeder) {
    for (minutes, severity, body) in [
        (40, "Information", "GET /news 200 in 84 ms"),
        (35, "Warning", "LDAP bind slow: 2.1 s"),
        (
            30,
            "Error",
            "Connection to staging-db.globex.internal:5432 timed out",
        ),
    ] {
        let time = s.ago(minutes);
        let nano = s.unix_nano_ago(minutes * 60);
        s.add(
            "logs",
            minutes,
            json!({
                "time": time,
                "timeUnixNano": nano,
                "severityText": severity,
                "severityNumber": severity_number(severity),
                "body": body,
                "serviceId": GLOBEX_INTRANET.0,
                "traceId": "",
                "spanId": "",
                "attributes": attributes(GLOBEX_INTRANET, "staging"),
            }),
        );
    }
}
