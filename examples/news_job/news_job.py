#!/usr/bin/env python3
"""The chapter's job: derives date features from the DATE column of the news-headline table.

SQLite stands in for the Snowflake tables. The job reads NEWS_HEADLINES (creating it from the
bundled CSV the first time, when it is missing), computes for each row the year, quarter, month,
month name, day, day of week, day name, day of year, ISO week and a weekend flag of its DATE, and
writes them to NEWS_DATE_FEATURES (one row per UNIQUE_ID, replaced on every run, so running the
job again gives the same table).

Environment:
  NEWS_DB               the SQLite database file (default: news.db in the working directory)
  NEWS_CSV              the CSV loaded into NEWS_HEADLINES when the table is missing
                        (default: headlines.csv next to this file)
  SNOWFLAKE_JOB_INDEX   this replica's index, 0-based (default 0)
  SNOWFLAKE_JOBS_COUNT  the number of replicas (default 1); replica i processes the rows whose
                        position in UNIQUE_ID order is i modulo the count

Exit status: 0 on success; 1 when the data is bad (a DATE that is not YYYY-MM-DD, a CSV without
the expected columns); 2 when the environment is wrong; 3 when the database cannot be used.
Nothing is written when the job fails.
"""

import csv
import datetime
import os
import sqlite3
import sys

SOURCE_TABLE = "NEWS_HEADLINES"
FEATURES_TABLE = "NEWS_DATE_FEATURES"
COLUMNS = ["UNIQUE_ID", "DATE", "CATEGORY", "HEADLINE", "SHORT_DESCRIPTION", "AUTHORS"]
BUSY_TIMEOUT_SECONDS = 60


class JobError(Exception):
    """A failure with a message for the user and the exit status to end with."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def say(message):
    print(f"news_job: {message}", flush=True)


def replica_from_environment(environ):
    """Returns (index, count) from SNOWFLAKE_JOB_INDEX and SNOWFLAKE_JOBS_COUNT."""
    values = {}
    for name, default in (("SNOWFLAKE_JOB_INDEX", "0"), ("SNOWFLAKE_JOBS_COUNT", "1")):
        text = environ.get(name) or default
        try:
            values[name] = int(text)
        except ValueError:
            raise JobError(f"{name}={text!r} is not an integer; SPCS and floe set it for job replicas", 2)
    index, count = values["SNOWFLAKE_JOB_INDEX"], values["SNOWFLAKE_JOBS_COUNT"]
    if count < 1 or not 0 <= index < count:
        raise JobError(f"SNOWFLAKE_JOB_INDEX={index} must be in 0..SNOWFLAKE_JOBS_COUNT-1 "
                       f"(SNOWFLAKE_JOBS_COUNT={count}, at least 1)", 2)
    return index, count


def date_features(text):
    """The features of one DATE value (YYYY-MM-DD, optionally followed by a time)."""
    day = datetime.date.fromisoformat(text.strip()[:10])
    iso = day.isocalendar()
    return {
        "YEAR": day.year,
        "QUARTER": (day.month - 1) // 3 + 1,
        "MONTH": day.month,
        "MONTH_NAME": day.strftime("%B"),
        "DAY": day.day,
        "DAY_OF_WEEK": iso.weekday,  # ISO: Monday = 1 ... Sunday = 7
        "DAY_NAME": day.strftime("%A"),
        "DAY_OF_YEAR": day.timetuple().tm_yday,
        "WEEK_OF_YEAR": iso.week,
        "IS_WEEKEND": 1 if iso.weekday >= 6 else 0,
    }


FEATURE_COLUMNS = list(date_features("2000-01-01"))


def table_exists(db, name):
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def load_csv(db, csv_path):
    """Creates NEWS_HEADLINES from the CSV. Runs inside the caller's transaction."""
    try:
        with open(csv_path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
            if missing:
                raise JobError(f"{csv_path} lacks the column(s) {', '.join(missing)}; "
                               f"its header must be {','.join(COLUMNS)}", 1)
            rows = [tuple(row[name] for name in COLUMNS) for row in reader]
    except OSError as error:
        raise JobError(f"cannot read {csv_path} to create {SOURCE_TABLE}: {error.strerror}; "
                       f"set NEWS_CSV to the headlines CSV", 1)
    except csv.Error as error:
        raise JobError(f"{csv_path} is not a valid CSV: {error}", 1)
    db.execute(f"""CREATE TABLE {SOURCE_TABLE} (
        UNIQUE_ID INTEGER PRIMARY KEY, DATE TEXT NOT NULL, CATEGORY TEXT, HEADLINE TEXT,
        SHORT_DESCRIPTION TEXT, AUTHORS TEXT)""")
    try:
        db.executemany(f"INSERT INTO {SOURCE_TABLE} ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", rows)
    except sqlite3.IntegrityError as error:
        raise JobError(f"{csv_path} cannot be loaded into {SOURCE_TABLE} ({error}); "
                       f"UNIQUE_ID must be a distinct integer on every row and DATE must not be empty", 1)
    say(f"created {SOURCE_TABLE} with {len(rows)} rows from {csv_path}")


def run(db_path, csv_path, index, count):
    """Does the work of one replica; returns the number of feature rows written."""
    try:
        db = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as error:
        raise JobError(f"cannot open the database {db_path}: {error}; set NEWS_DB to a writable path", 3)
    try:
        # One write transaction per replica: replicas that start together take turns, and a
        # failure leaves the database as it was.
        db.execute("BEGIN IMMEDIATE")
        try:
            if not table_exists(db, SOURCE_TABLE):
                load_csv(db, csv_path)
            db.execute(f"""CREATE TABLE IF NOT EXISTS {FEATURES_TABLE} (
                UNIQUE_ID INTEGER PRIMARY KEY, DATE TEXT NOT NULL, YEAR INTEGER, QUARTER INTEGER,
                MONTH INTEGER, MONTH_NAME TEXT, DAY INTEGER, DAY_OF_WEEK INTEGER, DAY_NAME TEXT,
                DAY_OF_YEAR INTEGER, WEEK_OF_YEAR INTEGER, IS_WEEKEND INTEGER)""")
            rows = db.execute(f"SELECT UNIQUE_ID, DATE FROM {SOURCE_TABLE} ORDER BY UNIQUE_ID").fetchall()
            mine = rows[index::count]
            out, bad = [], []
            for unique_id, date in mine:
                try:
                    features = date_features(str(date))
                except ValueError:
                    bad.append(f"UNIQUE_ID {unique_id} has DATE {date!r}")
                    continue
                out.append((unique_id, str(date)) + tuple(features[name] for name in FEATURE_COLUMNS))
            if bad:
                shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
                raise JobError(f"{len(bad)} row(s) of {SOURCE_TABLE} have a DATE that is not YYYY-MM-DD: {shown}. "
                               f"Fix them and run the job again; nothing was written", 1)
            names = ["UNIQUE_ID", "DATE"] + FEATURE_COLUMNS
            db.executemany(f"INSERT OR REPLACE INTO {FEATURES_TABLE} ({', '.join(names)}) "
                           f"VALUES ({', '.join('?' for _ in names)})", out)
            # Rows whose headline is gone from the source table go from the features too.
            db.execute(f"DELETE FROM {FEATURES_TABLE} WHERE UNIQUE_ID NOT IN (SELECT UNIQUE_ID FROM {SOURCE_TABLE})")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        say(f"replica {index} of {count}: {len(mine)} of {len(rows)} rows of {SOURCE_TABLE} processed, "
            f"{len(out)} rows written to {FEATURES_TABLE} in {db_path}")
        return len(out)
    except sqlite3.Error as error:
        raise JobError(f"database error on {db_path}: {error}; check that NEWS_DB is a writable SQLite file", 3)
    finally:
        db.close()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    db_path = os.environ.get("NEWS_DB") or "news.db"
    csv_path = os.environ.get("NEWS_CSV") or os.path.join(here, "headlines.csv")
    try:
        index, count = replica_from_environment(os.environ)
        say(f"replica {index} of {count} starting (service {os.environ.get('SNOWFLAKE_SERVICE_NAME', '-')}, "
            f"database {os.path.abspath(db_path)})")
        run(db_path, csv_path, index, count)
    except JobError as error:
        print(f"news_job: error: {error}", file=sys.stderr, flush=True)
        return error.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
