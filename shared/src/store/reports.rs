//! The summary report's daily aggregates: `REPORT#<scope>` / `DAY#<YYYY-MM-DD>` per scope (`all`,
//! or a group id), kept by the stream reporter. Counters are numbers (`created`, `solved`,
//! `reopened`, `good`, `bad`, `sla_<metric>_<achieved|breached>`), durations lists of whole
//! minutes (`first_reply`, `resolution`), so medians and percentiles over any range are exact.
//! A record is applied once: its marker `REPORTED#<id>` / `<version>` is put in the same
//! transaction, on condition that it does not exist (a redelivered record changes nothing).
use super::keys::{self, entity};
use super::{Item, PartitionQuery, Reads, SortRange, Store, StoreError};
use crate::domain::report::{DayDelta, Scope};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use std::collections::{BTreeMap, HashMap};
use time::Date;
use uuid::Uuid;

/// How long a record's marker is kept: longer than a stream keeps records (24 hours).
const MARKER_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

/// One day's figures as read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRow {
    pub date: String,
    pub delta: DayDelta,
}

fn number(v: Option<&AttributeValue>) -> i64 {
    v.and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn numbers(v: Option<&AttributeValue>) -> Vec<i64> {
    v.and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|n| n.as_n().ok()?.parse().ok()).collect())
        .unwrap_or_default()
}

fn row(item: &Item) -> DayRow {
    let mut delta = DayDelta {
        created: number(item.get("created")),
        solved: number(item.get("solved")),
        reopened: number(item.get("reopened")),
        first_reply_minutes: numbers(item.get("first_reply")),
        resolution_minutes: numbers(item.get("resolution")),
        good: number(item.get("good")),
        bad: number(item.get("bad")),
        ..Default::default()
    };
    for (name, value) in item {
        let Some(rest) = name.strip_prefix("sla_") else { continue };
        for outcome in ["achieved", "breached"] {
            if let Some(metric) = rest.strip_suffix(&format!("_{outcome}")) {
                delta.sla.insert((metric.to_owned(), outcome), number(Some(value)));
            }
        }
    }
    let date =
        item.get(keys::SK).and_then(|v| v.as_s().ok()).map(|s| s.trim_start_matches("DAY#").to_owned());
    DayRow { date: date.unwrap_or_default(), delta }
}

fn day_update(table: &str, scope: &Scope, day: Date, d: &DayDelta) -> Result<TransactWriteItem, StoreError> {
    let mut adds = Vec::new();
    let mut sets = vec!["#entity = :entity".to_owned()];
    let mut names = HashMap::from([("#entity".to_owned(), keys::ENTITY.to_owned())]);
    let mut values = HashMap::from([(":entity".to_owned(), keys::s(entity::REPORT_DAY))]);
    let mut counter = |name: &str, n: i64, adds: &mut Vec<String>| {
        if n != 0 {
            let i = names.len();
            names.insert(format!("#c{i}"), name.to_owned());
            values.insert(format!(":c{i}"), AttributeValue::N(n.to_string()));
            adds.push(format!("#c{i} :c{i}"));
        }
    };
    counter("created", d.created, &mut adds);
    counter("solved", d.solved, &mut adds);
    counter("reopened", d.reopened, &mut adds);
    counter("good", d.good, &mut adds);
    counter("bad", d.bad, &mut adds);
    for ((metric, outcome), n) in &d.sla {
        counter(&format!("sla_{metric}_{outcome}"), *n, &mut adds);
    }
    for (name, list) in [("first_reply", &d.first_reply_minutes), ("resolution", &d.resolution_minutes)] {
        if !list.is_empty() {
            let i = names.len();
            names.insert(format!("#l{i}"), name.to_owned());
            values.insert(
                format!(":l{i}"),
                AttributeValue::L(list.iter().map(|m| AttributeValue::N(m.to_string())).collect()),
            );
            values.insert(":empty".to_owned(), AttributeValue::L(Vec::new()));
            sets.push(format!("#l{i} = list_append(if_not_exists(#l{i}, :empty), :l{i})"));
        }
    }
    let mut expression = format!("SET {}", sets.join(", "));
    if !adds.is_empty() {
        expression.push_str(&format!(" ADD {}", adds.join(", ")));
    }
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::key(keys::report_pk(&scope.key()), keys::report_day_sk(day))))
        .update_expression(expression)
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl Store {
    /// Adds one record's deltas to the daily aggregates, once per (`id`, `version`).
    pub async fn add_report_deltas(
        &self,
        id: Uuid,
        version: &str,
        deltas: &BTreeMap<(Scope, Date), DayDelta>,
        now_epoch: i64,
    ) -> Result<(), StoreError> {
        if deltas.is_empty() {
            return Ok(());
        }
        let mut marker = keys::key(keys::reported_pk(id), version);
        marker.insert(keys::ENTITY.to_owned(), keys::s(entity::REPORTED));
        marker.insert(keys::TTL.to_owned(), AttributeValue::N((now_epoch + MARKER_TTL_SECONDS).to_string()));
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()
            .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        // A ticket version touches a handful of days in two scopes, far below the 100 items
        // a transaction holds.
        for ((scope, day), d) in deltas {
            items.push(day_update(self.table(), scope, *day, d)?);
        }
        match self.client().transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let marker_taken =
                    e.as_service_error().is_some_and(|s| s.is_transaction_canceled_exception())
                        && self.get(keys::key(keys::reported_pk(id), version)).await?.is_some();
                if marker_taken {
                    // Applied by an earlier delivery of the same record.
                    return Ok(());
                }
                Err(StoreError::sdk("TransactWriteItems", e))
            }
        }
    }

    /// The days of `scope` from `from` to `to` (inclusive) that have aggregates: one Query,
    /// paged (at most 366 small items).
    pub async fn report_days(&self, scope: &Scope, from: Date, to: Date) -> Result<Vec<DayRow>, StoreError> {
        let query = PartitionQuery::table(keys::report_pk(&scope.key()))
            .range(SortRange::Between(keys::report_day_sk(from), keys::report_day_sk(to)));
        let rows = self.query_page(&query, Reads::everything()).await?.items.iter().map(row).collect();
        Ok(rows)
    }
}
