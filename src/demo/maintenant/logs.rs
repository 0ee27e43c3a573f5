//! Container log lines for `GET /containers/{id}/logs`: generated on demand, deterministic for
//! a container and an end time, and shaped like what each image really prints (nginx access
//! lines, PostgreSQL checkpoints, Redis saves, a Go API's JSON lines turning into errors when
//! it went unhealthy, promtail's crash loop). The web server has about 600 lines so the
//! 500-line cap of the route matters.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// What kind of program writes a container's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogProfile {
    Nginx,
    ShopApi,
    Worker,
    Postgres,
    Redis,
    Promtail,
    /// A program whose lines are picked from these messages (`{ts}` becomes the line's time).
    App(&'static [&'static str]),
}

/// A stateless pseudo-random mix (splitmix64), for deterministic variety.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A value in `0..n` from a seed.
fn pick(seed: u64, n: usize) -> usize {
    let n = n.max(1) as u64;
    usize::try_from(mix(seed) % n).unwrap_or(0)
}

/// How many lines a profile has and how many seconds lie between two of them.
fn volume(profile: LogProfile) -> (usize, i64) {
    match profile {
        LogProfile::Nginx => (640, 6),
        LogProfile::ShopApi => (340, 11),
        LogProfile::Worker => (150, 24),
        LogProfile::Postgres => (96, 150),
        LogProfile::Redis => (80, 75),
        LogProfile::Promtail => (90, 400),
        LogProfile::App(_) => (60, 90),
    }
}

/// The last `n` lines of a container's log ending at `end`, oldest first; with `timestamps`
/// each line starts with its RFC 3339 time (nanoseconds, as Docker writes it) and a space.
pub fn tail(
    profile: LogProfile,
    container_id: i64,
    end: DateTime<Utc>,
    n: usize,
    timestamps: bool,
) -> Vec<String> {
    let all = generate(profile, container_id, end);
    let skip = all.len().saturating_sub(n);
    all.into_iter()
        .skip(skip)
        .map(|(t, line)| {
            if timestamps {
                format!("{} {line}", t.to_rfc3339_opts(SecondsFormat::Nanos, true))
            } else {
                line
            }
        })
        .collect()
}

/// Every line of a container's log ending at `end`, with its time, oldest first.
pub fn generate(
    profile: LogProfile,
    container_id: i64,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, String)> {
    let (count, step) = volume(profile);
    let seed = u64::try_from(container_id)
        .unwrap_or(0)
        .wrapping_mul(1_000_003);
    (0..count)
        .map(|i| {
            let back = i64::try_from(count - 1 - i).unwrap_or(0) * step;
            let millis = i64::try_from(mix(seed + i as u64) % 1000).unwrap_or(0);
            let t = end - Duration::seconds(back) - Duration::milliseconds(millis);
            let line = Line {
                index: i,
                count,
                seed: seed + i as u64,
                time: t,
            };
            (t, line.render(profile))
        })
        .collect()
}

/// One line to render: its position, a seed, and its time.
struct Line {
    index: usize,
    count: usize,
    seed: u64,
    time: DateTime<Utc>,
}

impl Line {
    /// Whether the line falls in the last `n` lines of its log.
    fn in_last(&self, n: usize) -> bool {
        self.index + n >= self.count
    }

    fn render(&self, profile: LogProfile) -> String {
        match profile {
            LogProfile::Nginx => self.nginx(),
            LogProfile::ShopApi => self.shop_api(),
            LogProfile::Worker => self.worker(),
            LogProfile::Postgres => self.postgres(),
            LogProfile::Redis => self.redis(),
            LogProfile::Promtail => self.promtail(),
            LogProfile::App(messages) => messages
                .get(pick(self.seed, messages.len()))
                .map(|m| {
                    m.replace(
                        "{ts}",
                        &self.time.to_rfc3339_opts(SecondsFormat::Secs, true),
                    )
                })
                .unwrap_or_default(),
        }
    }

    fn nginx(&self) -> String {
        const PAGES: [&str; 8] = [
            "/",
            "/products/espresso-grinder-pro",
            "/products/pour-over-kettle",
            "/category/coffee-beans",
            "/cart",
            "/static/js/app.7f3c9a.js",
            "/static/css/main.41be02.css",
            "/images/hero-autumn.webp",
        ];
        const API: [&str; 4] = [
            "/api/v1/cart",
            "/api/v1/products?category=beans",
            "/api/v1/checkout",
            "/api/v1/session",
        ];
        const AGENTS: [&str; 4] = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ];
        let api_call = pick(self.seed ^ 0xA1, 3) == 0;
        let (method, path) = if api_call {
            let path = API[pick(self.seed ^ 0xA2, API.len())];
            let method = if path.ends_with("checkout") {
                "POST"
            } else {
                "GET"
            };
            (method, path)
        } else {
            ("GET", PAGES[pick(self.seed ^ 0xA3, PAGES.len())])
        };
        // The API went unhealthy for the last ~42 minutes (420 lines at 6 s).
        let (status, bytes) = if api_call && self.in_last(420) && pick(self.seed ^ 0xA4, 3) != 0 {
            if pick(self.seed ^ 0xA5, 4) == 0 {
                (504, 167)
            } else {
                (502, 157)
            }
        } else if path == "/cart" && pick(self.seed ^ 0xA6, 5) == 0 {
            (304, 0)
        } else {
            (200, 512 + pick(self.seed ^ 0xA7, 48_000))
        };
        format!(
            "172.18.0.{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"https://shop.example.net/\" \"{}\"",
            2 + pick(self.seed ^ 0xA8, 250),
            self.time.format("%d/%b/%Y:%H:%M:%S +0000"),
            AGENTS[pick(self.seed ^ 0xA9, AGENTS.len())],
        )
    }

    fn shop_api(&self) -> String {
        let time = self.time.to_rfc3339_opts(SecondsFormat::Millis, true);
        // Unhealthy for the last ~42 minutes (229 lines at 11 s).
        if self.in_last(229) && pick(self.seed ^ 0xB1, 3) != 0 {
            return match pick(self.seed ^ 0xB2, 4) {
                0 => format!(
                    r#"{{"level":"error","time":"{time}","msg":"payment provider timeout","provider":"stripe","timeout_ms":5000,"order_id":"ord_{}"}}"#,
                    40_000 + pick(self.seed ^ 0xB3, 9_000)
                ),
                1 => format!(
                    r#"{{"level":"error","time":"{time}","msg":"database connection pool exhausted","max_open":20,"in_use":20,"wait_ms":3000}}"#
                ),
                2 => format!(
                    r#"{{"level":"error","time":"{time}","msg":"healthcheck failed","check":"db","error":"context deadline exceeded"}}"#
                ),
                _ => format!(
                    r#"{{"level":"error","time":"{time}","msg":"request failed","method":"POST","path":"/api/v1/checkout","status":503,"duration_ms":{}}}"#,
                    3000 + pick(self.seed ^ 0xB4, 2_000)
                ),
            };
        }
        const PATHS: [&str; 4] = [
            "/api/v1/cart",
            "/api/v1/products",
            "/api/v1/session",
            "/healthz",
        ];
        if pick(self.seed ^ 0xB5, 40) == 0 {
            return format!(
                r#"{{"level":"warn","time":"{time}","msg":"slow query","query":"SELECT * FROM order_items WHERE order_id = $1","duration_ms":{}}}"#,
                250 + pick(self.seed ^ 0xB6, 400)
            );
        }
        format!(
            r#"{{"level":"info","time":"{time}","msg":"request completed","method":"GET","path":"{}","status":200,"duration_ms":{}}}"#,
            PATHS[pick(self.seed ^ 0xB7, PATHS.len())],
            3 + pick(self.seed ^ 0xB8, 60)
        )
    }

    fn worker(&self) -> String {
        let time = self.time.to_rfc3339_opts(SecondsFormat::Secs, true);
        let id = 48_000 + self.index;
        if self.in_last(105) && pick(self.seed ^ 0xC1, 2) == 0 {
            return format!(
                "time=\"{time}\" level=error msg=\"job failed\" queue=orders job=order.sync_inventory id={id} attempt={} error=\"POST http://shop-api:8080/internal/inventory: 503 Service Unavailable\"",
                1 + pick(self.seed ^ 0xC2, 3)
            );
        }
        const JOBS: [(&str, &str); 4] = [
            ("emails", "order.confirmation_email"),
            ("orders", "order.sync_inventory"),
            ("images", "product.thumbnail"),
            ("reports", "report.daily_sales"),
        ];
        let (queue, job) = JOBS[pick(self.seed ^ 0xC3, JOBS.len())];
        format!(
            "time=\"{time}\" level=info msg=\"job completed\" queue={queue} job={job} id={id} duration={}ms",
            40 + pick(self.seed ^ 0xC4, 900)
        )
    }

    fn postgres(&self) -> String {
        let stamp = self.time.format("%Y-%m-%d %H:%M:%S%.3f UTC");
        if self.in_last(16) && pick(self.seed ^ 0xD1, 3) == 0 {
            return format!(
                "{stamp} [{}] FATAL:  sorry, too many clients already",
                3000 + pick(self.seed ^ 0xD2, 900)
            );
        }
        if self.index.is_multiple_of(2) {
            format!("{stamp} [27] LOG:  checkpoint starting: time")
        } else {
            let buffers = 40 + pick(self.seed ^ 0xD3, 600);
            // Write time in ms; the total adds the 12 ms sync and a little overhead.
            let write = buffers * 50 + pick(self.seed ^ 0xD4, 1000);
            let total = write + 12 + pick(self.seed ^ 0xD5, 30);
            format!(
                "{stamp} [27] LOG:  checkpoint complete: wrote {buffers} buffers ({:.1}%); 0 WAL file(s) added, 0 removed, 1 recycled; write={}.{:03} s, sync=0.012 s, total={}.{:03} s; sync files={}, longest=0.004 s, average=0.001 s; distance={} kB, estimate={} kB",
                buffers as f64 / 163.84,
                write / 1000,
                write % 1000,
                total / 1000,
                total % 1000,
                10 + buffers / 12,
                buffers * 8,
                buffers * 9,
            )
        }
    }

    fn redis(&self) -> String {
        let stamp = self.time.format("%d %b %Y %H:%M:%S%.3f");
        let pid = 4000 + self.index / 4;
        match self.index % 4 {
            0 => format!("1:M {stamp} * 100 changes in 300 seconds. Saving..."),
            1 => format!("1:M {stamp} * Background saving started by pid {pid}"),
            2 => format!("{pid}:C {stamp} * DB saved on disk"),
            _ => format!("1:M {stamp} * Background saving terminated with success"),
        }
    }

    fn promtail(&self) -> String {
        let ts = self.time.to_rfc3339_opts(SecondsFormat::Millis, true);
        match self.index % 3 {
            0 => format!(
                "level=info ts={ts} caller=main.go:174 msg=\"Starting Promtail\" version=\"(version=3.1.1, branch=HEAD, revision=e5a9e1e6)\""
            ),
            1 => format!(
                "level=info ts={ts} caller=main.go:121 msg=\"Reloading configuration file\" filename=/etc/promtail/config.yml"
            ),
            _ => format!(
                "level=error ts={ts} caller=main.go:170 msg=\"error creating promtail\" error=\"failed to make file target manager: open /etc/promtail/config.yml: no such file or directory\""
            ),
        }
    }
}

// The messages of the `App` profiles, one set per image.

pub const GRAFANA: &[&str] = &[
    "logger=context userId=1 orgId=1 uname=admin t={ts} level=info msg=\"Request Completed\" method=GET path=/api/dashboards/uid/shop-overview status=200 duration=18ms",
    "logger=cleanup t={ts} level=info msg=\"Completed cleanup jobs\" duration=9.8ms",
    "logger=infra.usagestats t={ts} level=info msg=\"Usage stats are ready to report\"",
    "logger=ngalert.scheduler t={ts} level=info msg=\"Evaluating rules\" count=12",
];
pub const PROMETHEUS: &[&str] = &[
    "ts={ts} caller=head.go:1355 level=info component=tsdb msg=\"Head GC completed\" caller=truncateMemory duration=41.2ms",
    "ts={ts} caller=compact.go:576 level=info component=tsdb msg=\"write block\" duration=1.21s",
    "ts={ts} caller=checkpoint.go:101 level=info component=tsdb msg=\"Creating checkpoint\" from_segment=1288 to_segment=1290",
    "ts={ts} caller=scrape.go:1384 level=warn component=\"scrape manager\" scrape_pool=shop-api target=http://shop-api:8080/metrics msg=\"Scrape failed\" err=\"context deadline exceeded\"",
];
pub const LOKI: &[&str] = &[
    "level=info ts={ts} caller=table_manager.go:136 index-store=tsdb-2024-04-01 msg=\"uploading tables\"",
    "level=info ts={ts} caller=flush.go:167 msg=\"flushing stream\" user=fake fp=3b1c2a labels=\"{container=\\\"shop-web-1\\\"}\" total_comp=\"128 kB\"",
    "level=info ts={ts} caller=compactor.go:523 msg=\"applying retention with compaction\"",
];
pub const JELLYFIN: &[&str] = &[
    "[INF] [42] Emby.Server.Implementations.ScheduledTasks.TaskManager: Scan Media Library Completed after 0 minute(s) and 12 seconds",
    "[INF] [18] MediaBrowser.MediaEncoding.Transcoding.TranscodeManager: Transcoding to h264/aac 1080p for Living Room TV",
    "[INF] [23] Jellyfin.Api.Helpers.MediaInfoHelper: User policy for alice. EnablePlaybackRemuxing: True EnableVideoPlaybackTranscoding: True",
    "[WRN] [31] MediaBrowser.Providers.Manager.ProviderManager: Error downloading image https://image.tmdb.org/t/p/original/abc.jpg (timeout)",
];
pub const SONARR: &[&str] = &[
    "[Info] RssSyncService: Starting RSS Sync",
    "[Info] DownloadDecisionMaker: Processing 47 releases",
    "[Info] RssSyncService: RSS Sync Completed. Reports found: 47, Reports grabbed: 0",
    "[Info] RefreshSeriesService: Updating info for The Expanse",
];
pub const RADARR: &[&str] = &[
    "[Info] RssSyncService: Starting RSS Sync",
    "[Info] DownloadDecisionMaker: Processing 112 releases",
    "[Info] MediaCoverService: Resizing poster images for 1,284 movies",
    "[Warn] MediaCoverService: Memory pressure while resizing covers, 455 MB in use",
];
pub const QBITTORRENT: &[&str] = &[
    "(N) {ts} - Successfully listening on IP. IP: 0.0.0.0. Port: TCP/6881",
    "(N) {ts} - Torrent download finished. Torrent: \"debian-12.8.0-amd64-netinst.iso\"",
    "(I) {ts} - Detected external IP. IP: \"203.0.113.24\"",
];
pub const TRAEFIK: &[&str] = &[
    "time=\"{ts}\" level=info msg=\"Configuration loaded from providers\" providerName=docker",
    "time=\"{ts}\" level=warning msg=\"Health check failed, removing from server list\" backend=shop-api@docker serverURL=\"http://172.18.0.7:8080\" reason=\"HTTP code 503\"",
    "time=\"{ts}\" level=info msg=\"Renewing certificate from LE\" domains=[media.example.net] providerName=letsencrypt.acme",
];
pub const AUTHELIA: &[&str] = &[
    "time=\"{ts}\" level=info msg=\"Access to https://grafana.example.net/ (method GET) is granted to user alice\"",
    "time=\"{ts}\" level=info msg=\"Successful 2FA authentication attempt made by user 'alice'\"",
    "time=\"{ts}\" level=warning msg=\"Unsuccessful 1FA authentication attempt by user 'admin'\" remote_ip=198.51.100.14",
];
pub const MAINTENANT: &[&str] = &[
    "time={ts} level=INFO msg=\"endpoint check\" endpoint=shop-api status=down http_status=503",
    "time={ts} level=INFO msg=\"update scan finished\" images=18 updates=5",
    "time={ts} level=WARN msg=\"heartbeat deadline missed\" heartbeat=restic-offsite-sync",
    "time={ts} level=INFO msg=\"resource snapshot\" containers=16",
];
pub const PORTAINER: &[&str] = &[
    "{ts} INF github.com/portainer/portainer/api/http/server.go:367 > starting HTTPS server | bind_address=:9443",
    "{ts} INF github.com/portainer/portainer/api/snapshot/snapshot.go:87 > background snapshot finished | endpoint=local",
];
pub const HOME_ASSISTANT: &[&str] = &[
    "INFO (MainThread) [homeassistant.components.automation.lights_at_sunset] Lights at sunset: Running automation actions",
    "WARNING (MainThread) [homeassistant.components.mqtt.client] Disconnected from MQTT server mqtt.home.arpa:8883 (7)",
    "INFO (SyncWorker_3) [homeassistant.components.recorder] Purging recorder data older than 10 days",
];
pub const RESTIC: &[&str] = &[
    "using parent snapshot 4c1f27e2",
    "Files:         112 new,    31 changed, 48213 unmodified",
    "snapshot 9a03be11 saved",
    "Fatal: unable to create lock in backend: repository is already locked by PID 311 on restic-backup",
];
pub const UPTIME_KUMA: &[&str] = &[
    "{ts} [MONITOR] INFO: Monitor #3 'shop' is UP",
    "{ts} [SERVER] INFO: Shutdown requested",
];
