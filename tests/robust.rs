//! Interruption and concurrency: kill -9 at random points, readers during
//! writes, two indexers, a full disk, read-only and older databases. After
//! each, the index is consistent and no report is half-written.

mod common;

use fazhi::store::Store;
use fazhi::store::writer::{IndexOptions, path_key};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// (sections, paragraphs, figures) of a report.
type Counts = (usize, usize, usize);

/// Writes `n` distinct reports made from the samples and returns what each
/// must be stored with, by path key.
fn corpus(dir: &Path, n: usize) -> HashMap<String, Counts> {
    std::fs::create_dir_all(dir).unwrap();
    let texts: Vec<String> = common::SAMPLES.iter().map(|e| common::sample_text(e.file)).collect();
    let mut expected = HashMap::new();
    for i in 0..n {
        let text = texts[i % texts.len()].replacen('。', &format!("，编号{i}。"), 1);
        let path = dir.join(format!("r{i:05}.txt"));
        std::fs::write(&path, &text).unwrap();
        let r = fazhi::ingest::parse_bytes(text.as_bytes()).unwrap();
        expected.insert(
            path_key(&std::fs::canonicalize(&path).unwrap()),
            (r.sections.len(), r.paragraphs.len(), r.figures.len()),
        );
    }
    expected
}

/// Every stored report with its counts, read in one statement (one
/// snapshot of the database).
fn stored(conn: &rusqlite::Connection) -> HashMap<String, Counts> {
    let mut stmt = conn
        .prepare(
            "SELECT r.path,
                    (SELECT count(*) FROM sections s WHERE s.report_id = r.id),
                    (SELECT data FROM bodies d WHERE d.report_id = r.id),
                    coalesce((SELECT count FROM figures f WHERE f.report_id = r.id), 0)
             FROM reports r",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (
                r.get::<_, i64>(1)? as usize,
                texts_in(r.get(2)?),
                r.get::<_, i64>(3)? as usize,
            ),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The index is sound: integrity_check passes, the full-text index agrees
/// with the paragraphs, and every stored report is whole. Returns how many
/// reports are stored.
fn assert_consistent(db: &Path, expected: &HashMap<String, Counts>) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    conn.execute(
        "INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('integrity-check')",
        [],
    )
    .expect("the full-text index matches the paragraphs");
    let rows = stored(&conn);
    for (path, counts) in &rows {
        assert_eq!(Some(counts), expected.get(path), "{path} is stored incompletely");
    }
    rows.len()
}

fn fazhi(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    let home = db.parent().unwrap();
    c.env("FAZHI_DB", db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("FAZHI_CONFIG");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small deterministic generator for kill times.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Starts `fazhi index`, kills it with SIGKILL after a random time, checks
/// the index, `kills` times; then lets a run finish and checks that
/// everything is there.
fn kill_loop(files: usize, kills: usize, seed: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let expected = corpus(&data, files);
    let db = tmp.path().join("i.db");
    let mut rng = Lcg(seed);
    let mut counts = Vec::new();
    for _ in 0..kills {
        let mut child = fazhi(&db)
            .args(["index", data.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50 + rng.next(1200)));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        counts.push(assert_consistent(&db, &expected));
    }
    let o = fazhi(&db).args(["index", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(assert_consistent(&db, &expected), files, "after kills at {counts:?}");
    eprintln!("{kills} kills survived; reports stored after each: {counts:?}");
}

#[test]
fn killed_indexers_leave_whole_reports_and_the_next_run_completes() {
    kill_loop(800, 4, 7);
}

/// The long version, for `scripts/stress`: 50 kills while indexing 3,000
/// reports.
#[test]
#[ignore = "slow; run by scripts/stress"]
fn killed_indexers_many_times() {
    let kills = std::env::var("FAZHI_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    kill_loop(3000, kills, 2026);
}

#[test]
fn readers_never_see_a_half_written_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let expected = corpus(&data, 1500);
    let db = tmp.path().join("i.db");
    drop(Store::open(&db).unwrap());
    let writer = {
        let (db, data) = (db.clone(), data.clone());
        std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            // Batches far shorter than the run, whatever the machine's
            // speed, so that readers meet the index between them.
            // The paragraphs go to the full-text index a few reports at a
            // time, inside each batch.
            let opts = IndexOptions {
                batch: std::time::Duration::from_millis(20),
                fts_sync_bytes: 16 << 10,
                ..IndexOptions::default()
            };
            store.index(&[data], opts, &mut |_| {}).unwrap()
        })
    };
    let reader = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    while !writer.is_finished() {
        let rows = stored(&reader);
        for (path, counts) in &rows {
            assert_eq!(Some(counts), expected.get(path), "a reader saw {path} half-written");
        }
        seen.insert(rows.len());
        // The browser's own queries see the same.
        let store = Store::open_read_only(&db).unwrap();
        for b in store.bureaus().unwrap() {
            for r in &b.reports {
                if let Some(rep) = store.report(r.id).unwrap() {
                    assert!(!rep.paragraphs.is_empty());
                }
            }
        }
    }
    let stats = writer.join().unwrap();
    assert_eq!(stats.new, 1500);
    assert!(
        seen.iter().any(|&n| n > 0 && n < 1500),
        "the reader never saw the index between batches: {seen:?}"
    );
    assert_eq!(assert_consistent(&db, &expected), 1500);
}

#[test]
fn a_second_indexer_is_refused_while_one_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let expected = corpus(&data, 1500);
    let db = tmp.path().join("i.db");
    let first = fazhi(&db)
        .args(["index", data.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The lock file names its holder once the lock is taken.
    let lock = tmp.path().join("i.db.lock");
    let holder = format!("process {}", first.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&lock).ok().as_deref() != Some(holder.as_str()) {
        assert!(Instant::now() < deadline, "the first indexer never took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = fazhi(&db).args(["index", data.to_str().unwrap()]).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(
        err.contains(&format!(
            "another `fazhi index` ({holder}) is writing to {}",
            db.display()
        )),
        "{err}"
    );
    assert!(err.contains("wait for it to finish"), "{err}");
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(assert_consistent(&db, &expected), 1500);
    // With the first one gone, the lock is free again.
    let o = fazhi(&db).args(["index", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("0 new · 0 changed · 1500 unchanged"));
}

#[test]
fn a_full_disk_stops_indexing_with_a_clear_error_and_a_consistent_index() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let expected = corpus(&data, 400);
    let db = tmp.path().join("i.db");
    let mut cmd = fazhi(&db);
    cmd.args(["index", data.to_str().unwrap()]);
    // SAFETY: only async-signal-safe calls between fork and exec. The file
    // size limit makes writes past 2 MB fail with EFBIG, as a full disk
    // would (SIGXFSZ ignored so the write returns an error): past creating
    // the index, whose log of 16 KB pages grows past 1 MB, and well short
    // of the whole corpus.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 2 << 20,
                rlim_max: 2 << 20,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    // The write fails while a report is written or when its batch is
    // committed, by how much of the batch the writer's cache holds.
    assert!(
        err.contains("cannot write to the index") || err.contains("cannot commit to the index"),
        "{err}"
    );
    assert!(err.contains("The index could not grow (disk full"), "{err}");
    let stored_before = assert_consistent(&db, &expected);
    assert!(stored_before < 400);
    // With space again, the same command completes the work.
    let o = fazhi(&db).args(["index", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(assert_consistent(&db, &expected), 400);
}

#[test]
fn a_read_only_index_can_be_browsed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ro");
    let db = common::index_samples(&dir);
    let data = dir.join("data");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    for p in [tmp.path(), home.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    // Nobody may write the folder or the file: as root, run as nobody.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = |args: &[&str]| -> Output {
        let mut c = common::fazhi_unprivileged();
        c.args(args)
            .env("FAZHI_DB", &db)
            .env("HOME", &home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_STATE_HOME")
            .env_remove("FAZHI_CONFIG")
            .output()
            .unwrap()
    };
    let o = run(&["bureaus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("十堰市茅箭区民政局"));
    let o = run(&["search", "婚姻登记"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("【婚姻登记】"));
    let o = run(&["show", "茅箭", "2023", "--section", "1.4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Writing is refused with a message, and the file is untouched.
    let before = std::fs::read(&db).unwrap();
    let o = run(&["index", data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&db.display().to_string()), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_older_index_is_migrated_when_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("old.db");
    {
        // Schema version 0: a fazhi index before its first migration.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "application_id", fazhi::store::schema::APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 0).unwrap();
    }
    // A reader that may write the file migrates it.
    let o = fazhi(&db).arg("bureaus").output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let version = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(), fazhi::store::schema::CURRENT_VERSION);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(common::sample_path(common::SAMPLES[0].file), data.join("a.txt")).unwrap();
    let o = fazhi(&db).args(["index", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&fazhi(&db).arg("bureaus").output().unwrap().stdout).contains("茅箭"));
}

#[test]
fn an_older_index_that_cannot_be_written_is_refused_with_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ro");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("old.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "application_id", fazhi::store::schema::APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 0).unwrap();
    }
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let o = common::fazhi_unprivileged()
        .arg("bureaus")
        .env("FAZHI_DB", &db)
        .env("HOME", tmp.path())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_STATE_HOME")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("run `fazhi index` once where the index can be written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// How many paragraph texts a stored body holds (none when it is missing).
fn texts_in(body: Option<Vec<u8>>) -> usize {
    body.map_or(0, |b| fazhi::store::body::decode(&b).unwrap().texts.len())
}
