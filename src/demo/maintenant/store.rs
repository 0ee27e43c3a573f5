//! The maintenant demo's mutable state and its write rules: pausing and resuming heartbeats,
//! acknowledging alerts, and the status-page writes (incidents, their updates, maintenance
//! windows). Reads are plain field access; the routes shape the answers.

use super::ApiError;
use super::model::{
    Alert, CertCheck, CertMonitor, Check, CompRef, Component, Container, Endpoint, Heartbeat, Host,
    ImageUpdate, Incident, IncidentUpdate, MaintenanceWindow, Transition,
};
use chrono::{DateTime, Duration, Utc};

/// Everything the demo serves.
#[derive(Debug, Clone)]
pub struct Store {
    /// When the data was generated; logs end here.
    pub seeded_at: DateTime<Utc>,
    /// When the runtime was detected (the host's last boot).
    pub runtime_detected_at: DateTime<Utc>,
    pub containers: Vec<Container>,
    pub transitions: Vec<Transition>,
    pub endpoints: Vec<Endpoint>,
    pub checks: Vec<Check>,
    pub heartbeats: Vec<Heartbeat>,
    pub certificates: Vec<CertMonitor>,
    pub cert_checks: Vec<CertCheck>,
    pub alerts: Vec<Alert>,
    pub updates: Vec<ImageUpdate>,
    pub last_scan: DateTime<Utc>,
    pub next_scan: DateTime<Utc>,
    pub components: Vec<Component>,
    pub incidents: Vec<Incident>,
    pub windows: Vec<MaintenanceWindow>,
    pub host: Host,
}

/// A new status-page incident, validated.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    pub severity: String,
    pub status: String,
    pub component_ids: Vec<i64>,
    pub message: Option<String>,
}

/// A new maintenance window, validated.
#[derive(Debug, Clone)]
pub struct NewWindow {
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub component_ids: Vec<i64>,
}

impl Store {
    pub fn container(&self, id: i64) -> Option<&Container> {
        self.containers.iter().find(|c| c.id == id)
    }

    pub fn endpoint(&self, id: i64) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == id)
    }

    pub fn heartbeat(&self, id: i64) -> Option<&Heartbeat> {
        self.heartbeats.iter().find(|h| h.id == id)
    }

    pub fn certificate(&self, id: i64) -> Option<&CertMonitor> {
        self.certificates.iter().find(|c| c.id == id)
    }

    /// The most recent check of a certificate monitor.
    pub fn latest_cert_check(&self, monitor_id: i64) -> Option<&CertCheck> {
        self.cert_checks
            .iter()
            .filter(|c| c.monitor_id == monitor_id)
            .max_by_key(|c| (c.checked_at, c.id))
    }

    pub fn alert(&self, id: i64) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Stops deadline tracking: status `paused`, no next deadline. Pausing a paused heartbeat
    /// is accepted and changes nothing but `updated_at`.
    pub fn pause_heartbeat(&mut self, id: i64, now: DateTime<Utc>) -> Result<&Heartbeat, ApiError> {
        let hb = self
            .heartbeats
            .iter_mut()
            .find(|h| h.id == id)
            .ok_or_else(|| ApiError::not_found("heartbeat not found"))?;
        hb.status = "paused".into();
        hb.next_deadline_at = None;
        hb.updated_at = now;
        Ok(hb)
    }

    /// Resumes a paused heartbeat: status `up` if it has ever been pinged, else `new`, with a
    /// fresh deadline one interval plus the grace period from now.
    pub fn resume_heartbeat(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<&Heartbeat, ApiError> {
        let hb = self
            .heartbeats
            .iter_mut()
            .find(|h| h.id == id)
            .ok_or_else(|| ApiError::not_found("heartbeat not found"))?;
        if hb.status != "paused" {
            return Err(ApiError::bad("INVALID_INPUT", "heartbeat is not paused"));
        }
        hb.status = if hb.last_ping_at.is_some() {
            "up"
        } else {
            "new"
        }
        .into();
        hb.alert_state = "normal".into();
        hb.next_deadline_at = Some(now + Duration::seconds(hb.interval_seconds + hb.grace_seconds));
        hb.updated_at = now;
        Ok(hb)
    }

    /// Acknowledges an active, unacknowledged alert.
    pub fn acknowledge(
        &mut self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<&Alert, ApiError> {
        let alert = self
            .alerts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found("alert not found"))?;
        if alert.status != "active" || alert.acknowledged_at.is_some() {
            return Err(ApiError::new(409, "CONFLICT", "alert is not active"));
        }
        alert.acknowledged_at = Some(now);
        alert.acknowledged_by = Some(by.to_string());
        Ok(alert)
    }

    /// The references of status components, refusing unknown ids.
    pub fn component_refs(&self, ids: &[i64]) -> Result<Vec<CompRef>, ApiError> {
        ids.iter()
            .map(|id| {
                self.components
                    .iter()
                    .find(|c| c.id == *id)
                    .map(|c| CompRef {
                        id: c.id,
                        name: c.name.clone(),
                    })
                    .ok_or_else(|| ApiError::validation(format!("unknown component id: {id}")))
            })
            .collect()
    }

    fn next_update_id(&self) -> i64 {
        self.incidents
            .iter()
            .flat_map(|i| i.updates.iter().map(|u| u.id))
            .max()
            .unwrap_or(0)
            + 1
    }

    /// Declares an incident; `message` becomes its first update.
    pub fn create_incident(
        &mut self,
        new: NewIncident,
        now: DateTime<Utc>,
    ) -> Result<Incident, ApiError> {
        let components = self.component_refs(&new.component_ids)?;
        let id = self.incidents.iter().map(|i| i.id).max().unwrap_or(0) + 1;
        let updates = new
            .message
            .map(|message| IncidentUpdate {
                id: self.next_update_id(),
                incident_id: id,
                status: new.status.clone(),
                message,
                is_auto: false,
                alert_id: None,
                created_at: now,
            })
            .into_iter()
            .collect();
        let incident = Incident {
            id,
            title: new.title,
            severity: new.severity,
            resolved_at: (new.status == "resolved").then_some(now),
            status: new.status,
            is_maintenance: false,
            maintenance_window_id: None,
            components,
            updates,
            created_at: now,
            updated_at: now,
        };
        self.incidents.push(incident.clone());
        Ok(incident)
    }

    /// Posts an update to an incident and moves the incident to its status.
    pub fn add_incident_update(
        &mut self,
        incident_id: i64,
        status: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<IncidentUpdate, ApiError> {
        let id = self.next_update_id();
        let incident = self
            .incidents
            .iter_mut()
            .find(|i| i.id == incident_id)
            .ok_or_else(|| ApiError::new(404, "not_found", "Incident not found"))?;
        let update = IncidentUpdate {
            id,
            incident_id,
            status: status.to_string(),
            message: message.to_string(),
            is_auto: false,
            alert_id: None,
            created_at: now,
        };
        incident.status = status.to_string();
        incident.resolved_at = if status == "resolved" {
            Some(incident.resolved_at.unwrap_or(now))
        } else {
            None
        };
        incident.updated_at = now;
        incident.updates.push(update.clone());
        Ok(update)
    }

    /// Schedules a maintenance window.
    pub fn create_window(
        &mut self,
        new: NewWindow,
        now: DateTime<Utc>,
    ) -> Result<MaintenanceWindow, ApiError> {
        let components = self.component_refs(&new.component_ids)?;
        let window = MaintenanceWindow {
            id: self.windows.iter().map(|w| w.id).max().unwrap_or(0) + 1,
            title: new.title,
            description: new.description,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            active: new.starts_at <= now && now < new.ends_at,
            incident_id: None,
            components,
            created_at: now,
            updated_at: now,
        };
        self.windows.push(window.clone());
        Ok(window)
    }
}
