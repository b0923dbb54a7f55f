-- ViraLoop schema for Orleans' ADO.NET providers (PostgreSQL 15, invariant "Npgsql").
-- Written for ViraLoop to the contract of Orleans 10.x's Clustering.AdoNet, Persistence.AdoNet and
-- Reminders.AdoNet: the providers read their SQL from OrleansQuery (QueryKey -> QueryText) and bind
-- parameters by name (@DeploymentId, @GrainIdHash, ...). Identifiers are unquoted (folded to lower
-- case); result columns are aliased to the names the providers read.
-- Applied by PostgresSchema.MigrateAsync under an advisory lock; every statement is idempotent.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Membership (clustering). One version row per cluster (DeploymentId); every membership change
-- increments it only if the caller saw the current version (optimistic concurrency).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS vl_membership_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    version       integer      NOT NULL DEFAULT 0,
    modified_utc  timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS vl_membership
(
    deployment_id  varchar(150) NOT NULL REFERENCES vl_membership_version (deployment_id) ON DELETE CASCADE,
    address        varchar(45)  NOT NULL,
    port           integer      NOT NULL,
    generation     integer      NOT NULL,
    silo_name      varchar(150) NOT NULL,
    host_name      varchar(150) NOT NULL,
    status         integer      NOT NULL,
    proxy_port     integer      NULL,
    suspect_times  text         NULL,
    start_time     timestamptz  NOT NULL,
    iamalive_time  timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- ---------------------------------------------------------------------------------------------
-- Grain state (persistence). The provider computes both hashes; the full key columns make the row
-- unique, NULL extension strings included (PostgreSQL 15: NULLS NOT DISTINCT).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS vl_grain_state
(
    grain_id_hash             integer     NOT NULL,
    grain_id_n0               bigint      NOT NULL,
    grain_id_n1               bigint      NOT NULL,
    grain_type_hash           integer     NOT NULL,
    grain_type_string         text        NOT NULL,
    grain_id_extension_string text        NULL,
    service_id                text        NOT NULL,
    payload_binary            bytea       NULL,
    version                   integer     NOT NULL,
    modified_utc              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_vl_grain_state_key UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type_string, grain_id_extension_string)
);

-- ---------------------------------------------------------------------------------------------
-- Reminders. grain_hash is GrainId.GetUniformHashCode() bound as a signed 32-bit integer; the
-- provider picks the non-wrapping or the wrapping range query accordingly.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS vl_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_vl_reminders_ring ON vl_reminders (service_id, grain_hash);

-- ---------------------------------------------------------------------------------------------
-- Query texts (upserted, so a later migration can replace any of them).
-- ---------------------------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Clustering ----------------------------------------------------------------------------------
('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO vl_membership_version (deployment_id, version)
    VALUES (@DeploymentId, 0)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted";
$q$),

('UpdateIAmAlivetimeKey', $q$
UPDATE vl_membership
SET iamalive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),

('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE vl_membership_version
    SET version = version + 1, modified_utc = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND NOT EXISTS (SELECT 1 FROM vl_membership m
                      WHERE m.deployment_id = @DeploymentId AND m.address = @Address
                        AND m.port = @Port AND m.generation = @Generation)
    RETURNING deployment_id
), inserted AS (
    INSERT INTO vl_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                               proxy_port, start_time, iamalive_time)
    SELECT b.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
           @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped b
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted";
$q$),

('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE vl_membership_version
    SET version = version + 1, modified_utc = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND EXISTS (SELECT 1 FROM vl_membership m
                  WHERE m.deployment_id = @DeploymentId AND m.address = @Address
                    AND m.port = @Port AND m.generation = @Generation)
    RETURNING deployment_id
), updated AS (
    UPDATE vl_membership m
    SET status = @Status, suspect_times = @SuspectTimes, iamalive_time = @IAmAliveTime
    FROM bumped b
    WHERE m.deployment_id = b.deployment_id AND m.address = @Address
      AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS "Updated";
$q$),

('MembershipReadRowKey', $q$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
       m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.iamalive_time AS "IAmAliveTime"
FROM vl_membership_version v
LEFT JOIN vl_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address
      AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId;
$q$),

('MembershipReadAllKey', $q$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
       m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.iamalive_time AS "IAmAliveTime"
FROM vl_membership_version v
LEFT JOIN vl_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;
$q$),

('DeleteMembershipTableEntriesKey', $q$
DELETE FROM vl_membership_version WHERE deployment_id = @DeploymentId;
$q$),

('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM vl_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$q$),

-- Dead silos (status 6) whose last heartbeat is older than the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM vl_membership
WHERE deployment_id = @DeploymentId AND iamalive_time < @IAmAliveTime AND status = 6;
$q$),

-- Persistence ---------------------------------------------------------------------------------
('ReadFromStorageKey', $q$
SELECT payload_binary AS "PayloadBinary", version AS "Version"
FROM vl_grain_state
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type_string = @GrainTypeString
  AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),

-- Insert when the caller holds no version, otherwise update only the version it holds. Always one
-- row: the new version, or NULL when the caller's version was stale (the provider then throws
-- InconsistentStateException).
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE vl_grain_state
    SET payload_binary = @PayloadBinary, version = version + 1, modified_utc = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version
), inserted AS (
    INSERT INTO vl_grain_state (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, grain_type_string,
                                grain_id_extension_string, service_id, payload_binary, version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted LIMIT 1) AS "NewGrainStateVersion";
$q$),

-- Clear keeps the row as a tombstone (payload NULL) with a new version.
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE vl_grain_state
    SET payload_binary = NULL, version = version + 1, modified_utc = now()
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion";
$q$),

-- Used instead of ClearStorageKey when DeleteStateOnClear = true: removes the row.
('DeleteStorageKey', $q$
WITH deleted AS (
    DELETE FROM vl_grain_state
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT (SELECT version + 1 FROM deleted) AS "NewGrainStateVersion";
$q$),

-- Reminders -----------------------------------------------------------------------------------
('UpsertReminderRowKey', $q$
INSERT INTO vl_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time, period = excluded.period, grain_hash = excluded.grain_hash,
    version = vl_reminders.version + 1
RETURNING version AS "Version";
$q$),

('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM vl_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId;
$q$),

('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM vl_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
$q$),

-- (BeginHash, EndHash] when BeginHash < EndHash as signed integers.
('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM vl_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
$q$),

-- The wrapping range: (BeginHash, max] and [min, EndHash].
('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM vl_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
$q$),

('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM vl_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS "Deleted";
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM vl_reminders WHERE service_id = @ServiceId;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
