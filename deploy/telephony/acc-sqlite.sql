-- Kamailio's own accounting (the acc module) for the phone line, in SQLite: Debian's
-- /usr/share/kamailio/db_sqlite/acc-create.sql plus the columns of db_extra in
-- kamailio.cfg (caller, called, extension). The app's reconcile job reads these two tables.
-- Kamailio's db_sqlite writes a time as a Julian day number (a REAL); the triggers turn it
-- into UTC text ('2026-11-29 02:29:43.500') that every reader parses the same way.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('acc', 5);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('missed_calls', 4);

CREATE TABLE IF NOT EXISTS acc (
    id INTEGER PRIMARY KEY NOT NULL,
    method VARCHAR(16) DEFAULT '' NOT NULL,
    from_tag VARCHAR(128) DEFAULT '' NOT NULL,
    to_tag VARCHAR(128) DEFAULT '' NOT NULL,
    callid VARCHAR(255) DEFAULT '' NOT NULL,
    sip_code VARCHAR(3) DEFAULT '' NOT NULL,
    sip_reason VARCHAR(128) DEFAULT '' NOT NULL,
    time TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    caller VARCHAR(64) DEFAULT '' NOT NULL,
    called VARCHAR(64) DEFAULT '' NOT NULL,
    extension VARCHAR(64) DEFAULT '' NOT NULL
);
CREATE INDEX IF NOT EXISTS acc_callid_idx ON acc (callid);
CREATE INDEX IF NOT EXISTS acc_time_idx ON acc (time);

CREATE TABLE IF NOT EXISTS missed_calls (
    id INTEGER PRIMARY KEY NOT NULL,
    method VARCHAR(16) DEFAULT '' NOT NULL,
    from_tag VARCHAR(128) DEFAULT '' NOT NULL,
    to_tag VARCHAR(128) DEFAULT '' NOT NULL,
    callid VARCHAR(255) DEFAULT '' NOT NULL,
    sip_code VARCHAR(3) DEFAULT '' NOT NULL,
    sip_reason VARCHAR(128) DEFAULT '' NOT NULL,
    time TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    caller VARCHAR(64) DEFAULT '' NOT NULL,
    called VARCHAR(64) DEFAULT '' NOT NULL,
    extension VARCHAR(64) DEFAULT '' NOT NULL
);
CREATE INDEX IF NOT EXISTS missed_calls_callid_idx ON missed_calls (callid);
CREATE INDEX IF NOT EXISTS missed_calls_time_idx ON missed_calls (time);

CREATE TRIGGER IF NOT EXISTS acc_time_text AFTER INSERT ON acc
WHEN typeof(NEW.time) = 'real' BEGIN
    UPDATE acc SET time = strftime('%Y-%m-%d %H:%M:%f', NEW.time) WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS missed_calls_time_text AFTER INSERT ON missed_calls
WHEN typeof(NEW.time) = 'real' BEGIN
    UPDATE missed_calls SET time = strftime('%Y-%m-%d %H:%M:%f', NEW.time) WHERE id = NEW.id;
END;
