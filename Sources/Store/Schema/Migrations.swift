import GRDB

/// The schema, as versioned migrations. The schema is the contract for restarts (DESIGN §5): never edit a
/// shipped migration, add a new one.
///
/// Times are INTEGER milliseconds since 1970 UTC (`*_ms` columns). Market days are `YYYY-MM-DD` text in the
/// market time zone, interval indexes 1…96.
enum Migrations {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            // Telemetry roll-ups: one row per device per 15-minute interval, accumulated by upsert.
            try db.execute(
                sql: """
                    CREATE TABLE telemetry_rollup (
                        device_id TEXT NOT NULL,
                        interval_start_ms INTEGER NOT NULL,
                        market_day TEXT NOT NULL,
                        interval_index INTEGER NOT NULL CHECK (interval_index BETWEEN 1 AND 96),
                        sample_count INTEGER NOT NULL,
                        power_sum_kw REAL NOT NULL,
                        power_min_kw REAL NOT NULL,
                        power_max_kw REAL NOT NULL,
                        energy_in_kwh REAL NOT NULL,
                        energy_out_kwh REAL NOT NULL,
                        last_soc_percent REAL,
                        last_sample_ms INTEGER NOT NULL,
                        PRIMARY KEY (device_id, interval_start_ms)
                    ) WITHOUT ROWID;
                    CREATE INDEX telemetry_rollup_interval ON telemetry_rollup (interval_start_ms);

                    CREATE TABLE raw_sample (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        device_id TEXT NOT NULL,
                        point TEXT NOT NULL,
                        value REAL NOT NULL,
                        at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX raw_sample_at ON raw_sample (at_ms);
                    CREATE INDEX raw_sample_device ON raw_sample (device_id, at_ms);

                    CREATE TABLE operator_command (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        target_scope TEXT NOT NULL,
                        target_id TEXT,
                        magnitude_value REAL,
                        magnitude_unit TEXT,
                        start_ms INTEGER NOT NULL,
                        end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
                        author TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        status TEXT NOT NULL,
                        status_detail TEXT,
                        created_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        cancelled_by TEXT,
                        cancel_reason TEXT,
                        cancelled_ms INTEGER
                    );
                    CREATE INDEX operator_command_status ON operator_command (status, start_ms, end_ms);
                    CREATE INDEX operator_command_created ON operator_command (created_ms);

                    CREATE TABLE setpoint_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        device_id TEXT NOT NULL,
                        point TEXT NOT NULL,
                        value REAL NOT NULL,
                        written INTEGER NOT NULL,
                        read_back REAL,
                        ok INTEGER NOT NULL,
                        error TEXT,
                        command_id TEXT,
                        at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX setpoint_log_device ON setpoint_log (device_id, at_ms);
                    CREATE INDEX setpoint_log_at ON setpoint_log (at_ms);

                    CREATE TABLE bid (
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        PRIMARY KEY (market_day, version)
                    ) WITHOUT ROWID;

                    CREATE TABLE clearing_result (
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        PRIMARY KEY (market_day, version)
                    ) WITHOUT ROWID;

                    CREATE TABLE schedule (
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        PRIMARY KEY (market_day, version)
                    ) WITHOUT ROWID;

                    CREATE TABLE schedule_target (
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        interval_index INTEGER NOT NULL CHECK (interval_index BETWEEN 1 AND 96),
                        target_kw REAL NOT NULL,
                        PRIMARY KEY (market_day, version, interval_index),
                        FOREIGN KEY (market_day, version) REFERENCES schedule (market_day, version) ON DELETE CASCADE
                    ) WITHOUT ROWID;

                    CREATE TABLE dr_event (
                        id TEXT PRIMARY KEY NOT NULL,
                        market_day TEXT NOT NULL,
                        status TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL
                    );
                    CREATE INDEX dr_event_day ON dr_event (market_day);

                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        role TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        source_address TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_at ON audit_log (at_ms);
                    -- Append-only: the database itself refuses to rewrite history.
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

                    CREATE TABLE inbox_ledger (
                        sha256 TEXT PRIMARY KEY NOT NULL,
                        file_name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        received_ms INTEGER NOT NULL
                    );
                    """)
        }
        m.registerMigration("v2-tracking") { db in
            // Tracking records (issue 6 §5): cleared vs. delivered energy per interval, upserted by the dispatch
            // loop; deviation and the in-tolerance flag are kept for SQL readers (settlement), derived on write.
            try db.execute(
                sql: """
                    CREATE TABLE tracking_interval (
                        market_day TEXT NOT NULL,
                        interval_index INTEGER NOT NULL CHECK (interval_index BETWEEN 1 AND 96),
                        cleared_kwh REAL NOT NULL,
                        delivered_kwh REAL NOT NULL,
                        deviation_kwh REAL NOT NULL,
                        tolerance_percent REAL NOT NULL CHECK (tolerance_percent >= 0),
                        within_tolerance INTEGER NOT NULL,
                        recorded_ms INTEGER NOT NULL,
                        PRIMARY KEY (market_day, interval_index)
                    ) WITHOUT ROWID;

                    CREATE TABLE tracking_contribution (
                        market_day TEXT NOT NULL,
                        interval_index INTEGER NOT NULL,
                        device_id TEXT NOT NULL,
                        energy_kwh REAL NOT NULL,
                        PRIMARY KEY (market_day, interval_index, device_id),
                        FOREIGN KEY (market_day, interval_index)
                            REFERENCES tracking_interval (market_day, interval_index) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v3-settlement") { db in
            // Day settlements (issue 7 §5): the settled day as a versioned JSON document, like bids and clearings;
            // re-settling a day adds a version, so a statement can always be traced to what was computed.
            try db.execute(
                sql: """
                    CREATE TABLE settlement (
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        PRIMARY KEY (market_day, version)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v4-bid-submission") { db in
            // Bid submissions get a table of their own (DESIGN §5): which version a clearing must answer was
            // read back from audit text before. Existing submissions are carried over from the audit log, whose
            // entries (`bid.submit`, target `bid:<day>`, detail `v<N> submitted[ after gate closure …]`) stay.
            try db.execute(
                sql: """
                    CREATE TABLE bid_submission (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        market_day TEXT NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 1),
                        submitted_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        late INTEGER NOT NULL,
                        FOREIGN KEY (market_day, version) REFERENCES bid (market_day, version)
                    );
                    CREATE INDEX bid_submission_day ON bid_submission (market_day, id);
                    CREATE TRIGGER bid_submission_no_update BEFORE UPDATE ON bid_submission
                        BEGIN SELECT RAISE(ABORT, 'bid_submission is append-only'); END;
                    CREATE TRIGGER bid_submission_no_delete BEFORE DELETE ON bid_submission
                        BEGIN SELECT RAISE(ABORT, 'bid_submission is append-only'); END;

                    INSERT INTO bid_submission (market_day, version, submitted_ms, actor, late)
                    SELECT a.market_day, a.version, a.at_ms, a.actor, a.late FROM (
                        SELECT id, substr(target, 5) AS market_day,
                            CAST(substr(detail, 2, instr(detail || ' ', ' ') - 2) AS INTEGER) AS version,
                            at_ms, actor, instr(detail, 'after gate closure') > 0 AS late
                        FROM audit_log WHERE action = 'bid.submit' AND substr(target, 1, 4) = 'bid:'
                            AND substr(detail, 1, 1) = 'v'
                    ) AS a
                    WHERE EXISTS (SELECT 1 FROM bid b WHERE b.market_day = a.market_day AND b.version = a.version)
                    ORDER BY a.id;
                    """)
        }
        return m
    }
}
