//! The OpenAPI document (utoipa). `crates/api/openapi.json` is this document, committed for the
//! frontend's typed client; a test fails when the two differ (`MINDY_UPDATE_OPENAPI=1` rewrites
//! the file).

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::actions::model::{
    Action, ActionResult, AuditEntry, BlockDraft, EmailDraft, EventDraft, EventRef, MoveDraft,
    Person, Proposal, Reminder, ReminderDraft, Status, Task, TaskDraft, UnblockDraft,
};
use crate::actions::{Confirmation, Edit};
use crate::chat::service::{ChatReply, Timings};
use crate::chat::{Chart, ChartKind};
use crate::dashboard::airflow::{AirflowRuns, Run};
use crate::dashboard::health::{Check, Health};
use crate::dashboard::kafka::{GroupLag, KafkaReport, PartitionOffsets, TopicOffsets};
use crate::dashboard::lake::{LakeReport, LakeTable, Layer};
use crate::dashboard::prometheus::{
    Alert, DownTarget, MetricPoint, MetricTile, MetricUnit, MetricsReport, TargetsSummary,
};
use crate::dashboard::quality::{QualityReport, QualityScore};
use crate::dashboard::streams::{StreamQuery, StreamsReport};
use crate::dashboard::workers::{WorkerReport, WorkerState, WorkerTask};
use crate::error::{ErrorBody, ErrorDetail};
use crate::routes;
use crate::routes::actions::ProposalDetail;
use crate::routes::chat::ChatRequest;

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mini-Mindy API",
        description = "Chat over the processed email statistics, and the pipeline dashboard. \
                       Every endpoint but /api/health needs `Authorization: Bearer <MINDY_API_TOKEN>`.",
        version = "0.1.0"
    ),
    paths(
        routes::chat::chat,
        routes::chat::stream,
        routes::health::health,
        routes::pipeline::airflow_runs,
        routes::pipeline::lake,
        routes::pipeline::kafka,
        routes::pipeline::quality,
        routes::pipeline::streams,
        routes::pipeline::airflow_workers,
        routes::pipeline::prometheus,
        routes::meta::openapi,
        routes::meta::metrics,
        routes::actions::list,
        routes::actions::get,
        routes::actions::edit,
        routes::actions::confirm,
        routes::actions::cancel,
        routes::actions::audit,
        routes::actions::tasks,
        routes::actions::reminders,
    ),
    components(schemas(
        ChatRequest, ChatReply, Timings, Chart, ChartKind, ErrorBody, ErrorDetail, Health, Check,
        AirflowRuns, Run, LakeReport, Layer, LakeTable, KafkaReport, TopicOffsets, PartitionOffsets,
        GroupLag, QualityReport, QualityScore, StreamsReport, StreamQuery, WorkerReport, WorkerState, WorkerTask, MetricsReport, MetricTile,
        MetricUnit, MetricPoint, TargetsSummary, DownTarget, Alert, Proposal, Action, EmailDraft, EventDraft, TaskDraft,
        ReminderDraft, MoveDraft, BlockDraft, UnblockDraft, EventRef, Person, Status, ActionResult,
        AuditEntry, Task, Reminder, Confirmation, Edit,
        ProposalDetail,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "chat", description = "Questions in plain language, answered from PostgreSQL"),
        (name = "actions", description = "Proposed actions, confirmed by the user, audited"),
        (name = "dashboard", description = "Health and pipeline state"),
        (name = "meta", description = "This API's description and metrics"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}
