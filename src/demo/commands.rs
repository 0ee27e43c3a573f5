//! Thruk's external commands as the demo applies them (downtimes, acknowledgements, comments,
//! checks, deletions), and the computed tables (groups, stats, totals, sites). Arguments,
//! defaults and error answers follow Thruk's REST command controller.

use super::data::{Data, SITES};
use super::query::expand_time;
use super::rows::{Table, row};
use serde_json::{Value, json};
use std::collections::BTreeMap;

type CmdResult = Result<Value, (u16, String)>;

fn arg<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn required<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, (u16, String)> {
    arg(params, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| (400, format!("missing argument: {name}")))
}

/// Thruk's time parsing: epochs, `now`, signed relative values.
fn time_arg(
    params: &[(String, String)],
    name: &str,
    default: i64,
    now: i64,
) -> Result<i64, (u16, String)> {
    match arg(params, name) {
        None | Some("") => Ok(default),
        Some(v) => {
            expand_time(v, now).ok_or_else(|| (400, format!("failed to parse time in {name}")))
        }
    }
}

fn int_arg(params: &[(String, String)], name: &str, default: i64) -> i64 {
    arg(params, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Thruk's duration parsing: seconds, or `30m`, `2h`, `1d`.
fn duration_arg(params: &[(String, String)]) -> i64 {
    arg(params, "duration")
        .and_then(|v| expand_time(&format!("+{v}"), 0).or_else(|| v.parse().ok()))
        .unwrap_or(0)
}

fn ok(lines: Vec<String>) -> CmdResult {
    Ok(json!({"message": "Command successfully submitted", "commands": lines.join("\n")}))
}

/// Runs `POST …/cmd/<name>`; `segs` is the path after the site prefix.
pub fn run(
    d: &mut Data,
    segs: &[&str],
    params: &[(String, String)],
    user: &str,
    now: i64,
) -> CmdResult {
    let cmd = segs[segs.len() - 1];
    let target = &segs[..segs.len() - 2];
    let author = arg(params, "comment_author")
        .filter(|s| !s.is_empty())
        .unwrap_or(user)
        .to_string();
    let line = |name: &str, args: &[String]| {
        format!("COMMAND [{now}] {};{}", name.to_uppercase(), args.join(";"))
    };
    let result = match target {
        ["hosts", host] => {
            if !d.hosts.iter().any(|h| h["name"] == *host) {
                return Err((404, format!("no such host: {host}")));
            }
            host_cmd(d, host, cmd, params, &author, now, &line)
        }
        ["services", host, svc] => {
            if !d
                .services
                .iter()
                .any(|s| s["host_name"] == *host && s["description"] == *svc)
            {
                return Err((404, format!("no such service: {svc} on host {host}")));
            }
            svc_cmd(d, host, svc, cmd, params, &author, now, &line)
        }
        ["hostgroups", group] => {
            let members: Vec<String> = d
                .hosts
                .iter()
                .filter(|h| in_list(&h["groups"], group))
                .map(|h| name_of(&h["name"]))
                .collect();
            if members.is_empty() {
                return Err((404, format!("no such hostgroup: {group}")));
            }
            let svcs: Vec<(String, String)> = d
                .services
                .iter()
                .filter(|s| members.contains(&name_of(&s["host_name"])))
                .map(|s| (name_of(&s["host_name"]), name_of(&s["description"])))
                .collect();
            group_downtime(
                d,
                cmd,
                "hostgroup",
                group,
                members,
                svcs,
                params,
                &author,
                now,
                &line,
            )
        }
        ["servicegroups", group] => {
            let svcs: Vec<(String, String)> = d
                .services
                .iter()
                .filter(|s| in_list(&s["groups"], group))
                .map(|s| (name_of(&s["host_name"]), name_of(&s["description"])))
                .collect();
            if svcs.is_empty() {
                return Err((404, format!("no such servicegroup: {group}")));
            }
            let mut hosts: Vec<String> = svcs.iter().map(|(h, _)| h.clone()).collect();
            hosts.dedup();
            group_downtime(
                d,
                cmd,
                "servicegroup",
                group,
                hosts,
                svcs,
                params,
                &author,
                now,
                &line,
            )
        }
        ["system"] => system_cmd(d, cmd, params, now, &line),
        _ => Err((404, "unknown rest path".into())),
    };
    d.recount_downtimes(now);
    if result.is_ok() {
        d.log(
            now,
            5,
            "EXTERNAL COMMAND",
            "",
            "",
            0,
            json!({"message": format!("[{now}] EXTERNAL COMMAND: {}", cmd.to_uppercase())}),
        );
    }
    result
}

fn name_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn in_list(v: &Value, item: &str) -> bool {
    v.as_array().is_some_and(|a| a.iter().any(|x| x == item))
}

struct Window {
    start: i64,
    end: i64,
    fixed: i64,
    duration: i64,
    triggered_by: i64,
    comment: String,
}

fn window(params: &[(String, String)], now: i64) -> Result<Window, (u16, String)> {
    let comment = required(params, "comment_data")?.to_string();
    Ok(Window {
        start: time_arg(params, "start_time", now, now)?,
        end: time_arg(params, "end_time", now + 7200, now)?,
        fixed: int_arg(params, "fixed", 1),
        duration: duration_arg(params),
        triggered_by: int_arg(params, "triggered_by", 0),
        comment,
    })
}

fn add(d: &mut Data, host: &str, svc: &str, w: &Window, author: &str, now: i64) -> i64 {
    d.add_downtime_full(
        host,
        svc,
        w.start,
        w.end,
        w.fixed,
        w.duration,
        w.triggered_by,
        &w.comment,
        author,
        now,
    )
}

fn ack_or_comment(
    d: &mut Data,
    host: &str,
    svc: &str,
    cmd: &str,
    params: &[(String, String)],
    author: &str,
    now: i64,
) -> Result<(), (u16, String)> {
    let comment = required(params, "comment_data")?.to_string();
    if cmd.starts_with("acknowledge") {
        let row = if svc.is_empty() {
            d.host_mut(host)
        } else {
            d.service_mut(host, svc)
        };
        if row.is_some_and(|r| r["state"] == 0) {
            return Err((
                400,
                format!(
                    "sending command failed: {} is not in a problem state",
                    if svc.is_empty() { host } else { svc }
                ),
            ));
        }
        d.acknowledge(
            host,
            svc,
            &comment,
            author,
            int_arg(params, "sticky_ack", 1),
            now,
        );
    } else {
        d.add_comment(host, svc, &comment, author, 1, now);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn host_cmd(
    d: &mut Data,
    host: &str,
    cmd: &str,
    params: &[(String, String)],
    author: &str,
    now: i64,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let h = host.to_string();
    match cmd {
        "schedule_host_downtime"
        | "schedule_host_svc_downtime"
        | "schedule_and_propagate_host_downtime"
        | "schedule_and_propagate_triggered_host_downtime" => {
            let w = window(params, now)?;
            let mut targets: Vec<(String, String)> = Vec::new();
            if cmd == "schedule_host_svc_downtime" {
                targets.extend(
                    d.services
                        .iter()
                        .filter(|s| s["host_name"] == host)
                        .map(|s| (h.clone(), name_of(&s["description"]))),
                );
            } else {
                targets.push((h.clone(), String::new()));
            }
            if cmd.starts_with("schedule_and_propagate") {
                let mut queue = vec![h.clone()];
                while let Some(parent) = queue.pop() {
                    let childs: Vec<String> = d
                        .hosts
                        .iter()
                        .find(|x| x["name"] == parent.as_str())
                        .and_then(|x| x["childs"].as_array())
                        .map(|a| a.iter().map(name_of).collect())
                        .unwrap_or_default();
                    for c in childs {
                        targets.push((c.clone(), String::new()));
                        queue.push(c);
                    }
                }
            }
            let mut first = 0;
            for (i, (th, ts)) in targets.iter().enumerate() {
                let id = add(d, th, ts, &w, author, now);
                if i == 0 {
                    first = id;
                }
            }
            let _ = first;
            ok(vec![line(
                cmd,
                &[
                    h,
                    w.start.to_string(),
                    w.end.to_string(),
                    w.fixed.to_string(),
                    w.triggered_by.to_string(),
                    w.duration.to_string(),
                    author.to_string(),
                    w.comment,
                ],
            )])
        }
        "acknowledge_host_problem" | "add_host_comment" => {
            ack_or_comment(d, host, "", cmd, params, author, now)?;
            ok(vec![line(cmd, &[h])])
        }
        "remove_host_acknowledgement" => {
            remove_ack(d, host, "");
            ok(vec![line(cmd, &[h])])
        }
        "schedule_host_check" | "schedule_forced_host_check" => {
            let t = time_arg(params, "start_time", now, now)?;
            if let Some(r) = d.host_mut(host) {
                r["next_check"] = json!(t);
            }
            ok(vec![line(cmd, &[h, t.to_string()])])
        }
        "del_downtime" => del_downtime(d, host, "", params, cmd, line),
        "del_active_host_downtimes" => del_active(d, host, "", now, line),
        "enable_host_check"
        | "disable_host_check"
        | "enable_host_notifications"
        | "disable_host_notifications" => {
            let field = if cmd.ends_with("check") {
                "active_checks_enabled"
            } else {
                "notifications_enabled"
            };
            if let Some(r) = d.host_mut(host) {
                r[field] = json!(i64::from(cmd.starts_with("enable")));
            }
            ok(vec![line(cmd, &[h])])
        }
        _ => Err((404, "no such command".into())),
    }
}

#[allow(clippy::too_many_arguments)]
fn svc_cmd(
    d: &mut Data,
    host: &str,
    svc: &str,
    cmd: &str,
    params: &[(String, String)],
    author: &str,
    now: i64,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let (h, s) = (host.to_string(), svc.to_string());
    match cmd {
        "schedule_svc_downtime" => {
            let w = window(params, now)?;
            add(d, host, svc, &w, author, now);
            ok(vec![line(
                cmd,
                &[
                    h,
                    s,
                    w.start.to_string(),
                    w.end.to_string(),
                    w.fixed.to_string(),
                    w.triggered_by.to_string(),
                    w.duration.to_string(),
                    author.to_string(),
                    w.comment,
                ],
            )])
        }
        "acknowledge_svc_problem" | "add_svc_comment" => {
            ack_or_comment(d, host, svc, cmd, params, author, now)?;
            ok(vec![line(cmd, &[h, s])])
        }
        "remove_svc_acknowledgement" => {
            remove_ack(d, host, svc);
            ok(vec![line(cmd, &[h, s])])
        }
        "schedule_svc_check" | "schedule_forced_svc_check" => {
            let t = time_arg(params, "start_time", now, now)?;
            if let Some(r) = d.service_mut(host, svc) {
                r["next_check"] = json!(t);
            }
            ok(vec![line(cmd, &[h, s, t.to_string()])])
        }
        "del_downtime" => del_downtime(d, host, svc, params, cmd, line),
        "del_active_service_downtimes" => del_active(d, host, svc, now, line),
        "enable_svc_check"
        | "disable_svc_check"
        | "enable_svc_notifications"
        | "disable_svc_notifications" => {
            let field = if cmd.ends_with("check") {
                "active_checks_enabled"
            } else {
                "notifications_enabled"
            };
            if let Some(r) = d.service_mut(host, svc) {
                r[field] = json!(i64::from(cmd.starts_with("enable")));
            }
            ok(vec![line(cmd, &[h, s])])
        }
        _ => Err((404, "no such command".into())),
    }
}

#[allow(clippy::too_many_arguments)]
fn group_downtime(
    d: &mut Data,
    cmd: &str,
    kind: &str,
    group: &str,
    hosts: Vec<String>,
    svcs: Vec<(String, String)>,
    params: &[(String, String)],
    author: &str,
    now: i64,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let w = window(params, now)?;
    let targets: Vec<(String, String)> = match cmd {
        c if c == format!("schedule_{kind}_host_downtime") => {
            hosts.into_iter().map(|h| (h, String::new())).collect()
        }
        c if c == format!("schedule_{kind}_svc_downtime") => svcs,
        _ => return Err((404, "no such command".into())),
    };
    for (h, s) in &targets {
        add(d, h, s, &w, author, now);
    }
    ok(vec![line(
        cmd,
        &[
            group.to_string(),
            w.start.to_string(),
            w.end.to_string(),
            w.fixed.to_string(),
            w.triggered_by.to_string(),
            w.duration.to_string(),
            author.to_string(),
            w.comment,
        ],
    )])
}

fn remove_ack(d: &mut Data, host: &str, svc: &str) {
    let row = if svc.is_empty() {
        d.host_mut(host)
    } else {
        d.service_mut(host, svc)
    };
    if let Some(r) = row {
        r["acknowledged"] = json!(0);
        r["acknowledgement_type"] = json!(0);
    }
    d.comments.retain(|c| {
        !(c["host_name"] == host && c["service_description"] == svc && c["entry_type"] == 4)
    });
    d.sync_host_mirrors();
}

fn del_downtime(
    d: &mut Data,
    host: &str,
    svc: &str,
    params: &[(String, String)],
    cmd: &str,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let id: i64 = required(params, "downtime_id")?
        .parse()
        .map_err(|_| (400, "downtime_id must be a number".to_string()))?;
    let before = d.downtimes.len();
    d.downtimes
        .retain(|x| !(x["id"] == id && x["host_name"] == host && x["service_description"] == svc));
    if d.downtimes.len() == before {
        // Real Thruk: an id that does not belong to this object sends nothing, yet answers 200.
        return Ok(json!({"message": "Command successfully submitted", "commands": []}));
    }
    let kind = if svc.is_empty() {
        "del_host_downtime"
    } else {
        "del_svc_downtime"
    };
    let _ = cmd;
    ok(vec![line(kind, &[id.to_string()])])
}

fn del_active(
    d: &mut Data,
    host: &str,
    svc: &str,
    now: i64,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let mut lines = Vec::new();
    d.downtimes.retain(|x| {
        let hit = x["host_name"] == host
            && x["service_description"] == svc
            && x["start_time"].as_i64().unwrap_or(0) <= now;
        if hit {
            let kind = if svc.is_empty() {
                "del_host_downtime"
            } else {
                "del_svc_downtime"
            };
            lines.push(line(kind, &[x["id"].to_string()]));
        }
        !hit
    });
    ok(lines)
}

fn system_cmd(
    d: &mut Data,
    cmd: &str,
    params: &[(String, String)],
    now: i64,
    line: &dyn Fn(&str, &[String]) -> String,
) -> CmdResult {
    let host = arg(params, "hostname").filter(|s| !s.is_empty());
    let group = arg(params, "hostgroup_name").filter(|s| !s.is_empty());
    let svc = arg(params, "service_desc").filter(|s| !s.is_empty());
    let comment = arg(params, "comment").filter(|s| !s.is_empty());
    let start = match arg(params, "start_time").filter(|s| !s.is_empty()) {
        Some(v) => Some(
            expand_time(v, now)
                .ok_or_else(|| (400, "failed to parse time in start_time".to_string()))?,
        ),
        None => None,
    };
    match cmd {
        "del_downtime_by_host_name" => {
            required(params, "hostname")?;
        }
        "del_downtime_by_hostgroup_name" => {
            required(params, "hostgroup_name")?;
        }
        "del_downtime_by_start_time_comment" => {
            if start.is_none() && comment.is_none() {
                return Err((400, "missing argument: start_time or comment".into()));
            }
        }
        _ => return Err((404, "no such command".into())),
    }
    let members: Vec<String> = match group {
        Some(g) => d
            .hosts
            .iter()
            .filter(|h| in_list(&h["groups"], g))
            .map(|h| name_of(&h["name"]))
            .collect(),
        None => Vec::new(),
    };
    let before = d.downtimes.len();
    d.downtimes.retain(|x| {
        let hit = host.is_none_or(|h| x["host_name"] == h)
            && group.is_none_or(|_| members.contains(&name_of(&x["host_name"])))
            && svc.is_none_or(|s| x["service_description"] == s)
            && comment.is_none_or(|c| x["comment"] == c)
            && start.is_none_or(|t| x["start_time"] == t);
        !hit
    });
    let deleted = before - d.downtimes.len();
    let args: Vec<String> = [host, group, svc, comment]
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let mut out = ok(vec![line(cmd, &args)])?;
    out["deleted"] = json!(deleted);
    Ok(out)
}

/// `/hosts/stats` (or `/hosts/totals` when `totals`).
pub fn host_stats(hosts: &[Value], totals: bool) -> Value {
    let count = |f: &dyn Fn(&Value) -> bool| hosts.iter().filter(|h| f(h)).count();
    let st = |h: &Value, s: i64| h["state"] == s;
    let handled = |h: &Value| {
        h["acknowledged"] == 1 || h["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0
    };
    let mut v = json!({
        "total": hosts.len(), "pending": 0,
        "up": count(&|h| st(h, 0)), "down": count(&|h| st(h, 1)), "unreachable": count(&|h| st(h, 2)),
        "down_and_unhandled": count(&|h| st(h, 1) && !handled(h)),
        "unreachable_and_unhandled": count(&|h| st(h, 2) && !handled(h)),
    });
    if !totals {
        let extra = json!({
            "total_active": count(&|h| h["check_type"] == 0), "total_passive": count(&|h| h["check_type"] == 1),
            "pending_and_disabled": 0, "pending_and_scheduled": 0,
            "plain_up": count(&|h| st(h, 0) && !handled(h)), "up_and_scheduled": count(&|h| st(h, 0) && h["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0),
            "up_and_disabled_active": count(&|h| st(h, 0) && h["active_checks_enabled"] == 0), "up_and_disabled_passive": 0,
            "plain_down": count(&|h| st(h, 1) && !handled(h)), "down_and_ack": count(&|h| st(h, 1) && h["acknowledged"] == 1),
            "down_and_scheduled": count(&|h| st(h, 1) && h["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0),
            "down_and_disabled_active": count(&|h| st(h, 1) && h["active_checks_enabled"] == 0), "down_and_disabled_passive": 0,
            "plain_unreachable": count(&|h| st(h, 2) && !handled(h)), "unreachable_and_ack": count(&|h| st(h, 2) && h["acknowledged"] == 1),
            "unreachable_and_scheduled": count(&|h| st(h, 2) && h["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0),
            "flapping": count(&|h| h["is_flapping"] == 1), "flapping_disabled": 0,
            "notifications_disabled": count(&|h| h["notifications_enabled"] == 0), "eventhandler_disabled": 0,
            "active_checks_disabled_active": count(&|h| h["active_checks_enabled"] == 0), "passive_checks_disabled": 0, "outages": count(&|h| st(h, 1)),
        });
        merge(&mut v, extra);
    }
    v
}

/// `/services/stats` (or `/services/totals` when `totals`).
pub fn service_stats(services: &[Value], totals: bool) -> Value {
    let count = |f: &dyn Fn(&Value) -> bool| services.iter().filter(|s| f(s)).count();
    let st = |s: &Value, n: i64| s["state"] == n;
    let handled = |s: &Value| {
        s["acknowledged"] == 1
            || s["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0
            || s["host_state"] != 0
    };
    let mut v = json!({"total": services.len(), "pending": 0, "ok": count(&|s| st(s, 0))});
    for (i, name) in ["ok", "warning", "critical", "unknown"]
        .iter()
        .enumerate()
        .skip(1)
    {
        v[*name] = json!(count(&|s| st(s, i as i64)));
        v[format!("{name}_and_unhandled")] = json!(count(&|s| st(s, i as i64) && !handled(s)));
        if !totals {
            v[format!("plain_{name}")] = json!(count(&|s| st(s, i as i64) && !handled(s)));
            v[format!("{name}_and_ack")] =
                json!(count(&|s| st(s, i as i64) && s["acknowledged"] == 1));
            v[format!("{name}_and_scheduled")] = json!(count(
                &|s| st(s, i as i64) && s["scheduled_downtime_depth"].as_i64().unwrap_or(0) > 0
            ));
            v[format!("{name}_and_disabled_active")] = json!(count(
                &|s| st(s, i as i64) && s["active_checks_enabled"] == 0
            ));
            v[format!("{name}_on_down_host")] =
                json!(count(&|s| st(s, i as i64) && s["host_state"] != 0));
        }
    }
    if !totals {
        merge(
            &mut v,
            json!({
                "plain_ok": count(&|s| st(s, 0)), "flapping": count(&|s| s["is_flapping"] == 1), "flapping_disabled": 0,
                "notifications_disabled": count(&|s| s["notifications_enabled"] == 0), "eventhandler_disabled": 0,
                "active_checks_disabled_active": count(&|s| s["active_checks_enabled"] == 0), "passive_checks_disabled": 0,
                "total_active": services.len(), "total_passive": 0,
            }),
        );
    }
    v
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// `/hostgroups` rows, computed from the hosts and services.
pub fn hostgroups(hosts: &[Value], services: &[Value]) -> Vec<Value> {
    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for h in hosts {
        for g in h["groups"].as_array().into_iter().flatten() {
            groups.entry(name_of(g)).or_default().push(h);
        }
    }
    groups
        .into_iter()
        .map(|(name, members)| {
            let names: Vec<String> = members.iter().map(|h| name_of(&h["name"])).collect();
            let svcs: Vec<&Value> = services.iter().filter(|s| names.contains(&name_of(&s["host_name"]))).collect();
            let hc = |n: i64| members.iter().filter(|h| h["state"] == n).count();
            let sc = |n: i64| svcs.iter().filter(|s| s["state"] == n).count();
            json!({
                "name": name, "alias": format!("{} servers", name), "members": names, "num_hosts": members.len(),
                "num_hosts_up": hc(0), "num_hosts_down": hc(1), "num_hosts_unreach": hc(2),
                "num_services": svcs.len(), "num_services_ok": sc(0), "num_services_warn": sc(1), "num_services_crit": sc(2), "num_services_unknown": sc(3),
                "worst_host_state": members.iter().filter_map(|h| h["state"].as_i64()).max().unwrap_or(0),
                "worst_service_state": svcs.iter().filter_map(|s| s["state"].as_i64()).max().unwrap_or(0),
                "peer_key": members.first().map(|h| h["peer_key"].clone()).unwrap_or(Value::Null),
                "peer_name": members.first().map(|h| h["peer_name"].clone()).unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// `/servicegroups` rows.
pub fn servicegroups(services: &[Value]) -> Vec<Value> {
    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for s in services {
        for g in s["groups"].as_array().into_iter().flatten() {
            groups.entry(name_of(g)).or_default().push(s);
        }
    }
    groups
        .into_iter()
        .map(|(name, members)| {
            let sc = |n: i64| members.iter().filter(|s| s["state"] == n).count();
            json!({
                "name": name, "alias": name.replace('-', " "),
                "members": members.iter().map(|s| json!([s["host_name"], s["description"]])).collect::<Vec<_>>(),
                "num_services": members.len(), "num_services_ok": sc(0), "num_services_warn": sc(1), "num_services_crit": sc(2), "num_services_unknown": sc(3),
                "worst_service_state": members.iter().filter_map(|s| s["state"].as_i64()).max().unwrap_or(0),
                "peer_key": members.first().map(|s| s["peer_key"].clone()).unwrap_or(Value::Null),
                "peer_name": members.first().map(|s| s["peer_name"].clone()).unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// `/sites` rows.
pub fn sites(now: i64) -> Vec<Value> {
    SITES
        .iter()
        .enumerate()
        .map(|(i, (key, name))| {
            row(Table::Site, json!({"addr": format!("10.0.{i}.1:6557"), "connected": 1, "id": key, "last_error": "", "localtime": now,
                   "name": name, "section": "Default", "status": 0, "type": "livestatus"}))
        })
        .collect()
}

/// `/processinfo` rows.
pub fn processinfo(now: i64) -> Vec<Value> {
    SITES
        .iter()
        .map(|(key, name)| {
            json!({"peer_key": key, "peer_name": name, "program_start": now - 1_209_600, "program_version": "1.4.3",
                   "accept_passive_host_checks": 1, "accept_passive_service_checks": 1, "enable_notifications": 1, "cached": 0})
        })
        .collect()
}
