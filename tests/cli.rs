//! The `fazhi` binary, run as a user runs it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs fazhi with config and state folders of its own beside `db`, so the
/// user's own config cannot change what the tests see.
fn fazhi(db: &Path, args: &[&str]) -> Output {
    fazhi_env(db, args, &[])
}

fn fazhi_env(db: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let home = db.parent().expect("db in a folder");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    cmd.args(args)
        .env("FAZHI_DB", db)
        .env_remove("XDG_DATA_HOME")
        .env_remove("FAZHI_CONFIG")
        .env_remove("FAZHI_LOG")
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fazhi")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn sample_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .display()
        .to_string()
}

#[test]
fn parse_json_is_the_documented_interface() {
    let tmp = tempfile::tempdir().unwrap();
    let file = common::sample_path("maojian-district-civil-affairs-2023.txt");
    let o = fazhi(
        &tmp.path().join("unused.db"),
        &["parse", file.to_str().unwrap(), "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let r = &v.as_array().expect("an array")[0];
    assert_eq!(r["path"], file.to_str().unwrap());
    assert_eq!(r["bureau"], "十堰市茅箭区民政局");
    assert_eq!(r["year"], 2023);
    assert_eq!(r["published"], "2024-03-10");
    assert_eq!(r["title"], "茅箭区民政局2023年度法治政府建设年度报告");
    assert_eq!(r["meta"]["索引号"], "K26058142/2024-13705");
    let s0 = &r["sections"][0];
    assert_eq!(s0["level"], 1);
    assert_eq!(s0["number"], "一、");
    assert_eq!(s0["heading"], "一、2023年度推进法治政府建设的主要举措和成效");
    assert_eq!(s0["title"], "2023年度推进法治政府建设的主要举措和成效");
    assert_eq!(s0["parent"], serde_json::Value::Null);
    assert_eq!(s0["parts"], serde_json::json!(["measures"]));
    assert_eq!(r["sections"][1]["parent"], 0);
    assert_eq!(r["parts"]["other"]["status"], "missing");
    let f = r["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["text"] == "300余份")
        .expect("figure");
    assert_eq!(f["value"], 300.0);
    assert_eq!(f["unit"], "份");
    assert_eq!(f["approx"], "余");
    assert_eq!(f["label"], "发放法治宣传资料");
    assert_eq!(f["section"], 4);
    assert!(f["sentence"].as_str().unwrap().contains("发放法治宣传资料300余份"));
    // No database was created by parse.
    assert!(!tmp.path().join("unused.db").exists());
}

#[test]
fn index_search_show_figures_bureaus() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fazhi.db");
    let o = fazhi(&db, &["index", &sample_dir()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("7 new · 0 changed · 0 unchanged · 0 failed"),
        "{}",
        stdout(&o)
    );
    let o = fazhi(&db, &["index", &sample_dir()]);
    assert!(stdout(&o).starts_with("0 new · 0 changed · 7 unchanged · 0 failed"));

    let o = fazhi(&db, &["search", "婚姻登记", "--limit", "2"]);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("【婚姻登记】"));

    let o = fazhi(&db, &["search", "临时救助", "--json"]);
    let hits: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["bureau"] == "湖滨区民政局" && h["section_path"] == "2.3")
    );

    let o = fazhi(&db, &["show", "湖滨", "--section", "2.4"]);
    let out = stdout(&o);
    assert!(out.starts_with("2.4 （四）规范开展婚姻登记\n"), "{out}");
    assert!(out.contains("目前共办理婚姻登记2529件"));

    let o = fazhi(&db, &["show", "茅箭区民政局", "2023"]);
    let out = stdout(&o);
    assert!(out.contains(
        "parts: measures section · shortcomings section · leadership section · plans section · other missing"
    ));
    assert!(out.contains("1.4        (四) 加强法治文化建设  (3 figures)"), "{out}");

    let o = fazhi(&db, &["figures", "--label", "婚姻登记", "--csv"]);
    let csv = stdout(&o);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("bureau,year,section,label,text,value,unit,approx,sentence,path")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("湖滨区民政局,2023,2.4,办理婚姻登记,2529件,2529,件,,"))
    );

    let o = fazhi(&db, &["figures", "--bureau", "光明", "--year", "2021", "--json"]);
    let figs: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // The index holds exactly what the parser finds.
    let file = common::sample_path("shenzhen-guangming-district-gov-2021.txt");
    let parsed: serde_json::Value =
        serde_json::from_str(&stdout(&fazhi(&db, &["parse", "--json", file.to_str().unwrap()]))).unwrap();
    let parsed_texts: Vec<&serde_json::Value> = parsed[0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["text"])
        .collect();
    let stored_texts: Vec<&serde_json::Value> = figs.as_array().unwrap().iter().map(|f| &f["text"]).collect();
    assert_eq!(stored_texts, parsed_texts);
    assert!(stored_texts.len() >= 12);

    let o = fazhi(&db, &["--db", db.to_str().unwrap(), "bureaus", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 7);
    assert!(names.contains(&"深圳市龙华区人民政府"));
}

#[test]
fn bad_input_gets_clear_messages_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fazhi.db");
    // Querying before anything was indexed.
    let o = fazhi(&db, &["bureaus"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no index at"), "{}", stderr(&o));
    assert!(!db.exists(), "reading must not create the index");

    // A run with a broken file finishes the others and exits 3.
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(
        common::sample_path("hubin-district-civil-affairs-2023.txt"),
        data.join("ok.txt"),
    )
    .unwrap();
    std::fs::write(data.join("broken.txt"), b"\x89PNG\r\n\x1a\n\0").unwrap();
    std::fs::write(
        data.join("evil.txt"),
        "\x1b]52;c;ZXZpbA==\x07\x1b[2J一、主要举措\n\x1b[31m发放资料300余份。",
    )
    .unwrap();
    let o = fazhi(&db, &["index", data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stdout(&o).starts_with("2 new · 0 changed · 0 unchanged · 1 failed"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("broken.txt: binary file (PNG image)"));
    // Nothing from a file reaches the terminal as an escape sequence.
    let o = fazhi(&db, &["search", "发放资料"]);
    assert!(o.status.success());
    assert!(!o.stdout.contains(&0x1b), "escape in output: {:?}", stdout(&o));
    assert!(stdout(&o).contains("【发放资料】300余份"));

    // Unknown bureau, missing section, missing path, usage error.
    let o = fazhi(&db, &["show", "不存在"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no bureau matches \"不存在\""));
    let o = fazhi(&db, &["show", "湖滨", "--section", "9.9"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no section 9.9"));
    let o = fazhi(&db, &["no-such-folder"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("neither a file or folder nor a fazhi command"));
    let o = fazhi(&db, &["search"]);
    assert_eq!(o.status.code(), Some(2));
    // A blank query is a usage error too, not "no paragraph contains ".
    for blank in ["", "  "] {
        let o = fazhi(&db, &["search", blank]);
        assert_eq!(o.status.code(), Some(2), "{blank:?}");
        assert!(stderr(&o).contains("nothing to search for"), "{}", stderr(&o));
    }
    let o = fazhi(&db, &["parse", data.join("broken.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("binary file"));
}

#[test]
fn paths_without_subcommand_index_then_open() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fazhi.db");
    let o = fazhi(&db, &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("is empty. Index reports first"));
    let o = fazhi(&db, &[&sample_dir()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("7 reports from 7 bureaus"), "{out}");
    assert!(out.contains("十堰市茅箭区民政局  (1 report: 2023)"));
}

#[test]
fn a_wrong_config_names_the_line_and_the_accepted_values() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "version = 1\n[ui]\ntheme = \"blue\"\n").unwrap();
    let o = fazhi_env(&db, &["bureaus"], &[("FAZHI_CONFIG", &cfg)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("config {}", cfg.display())), "{err}");
    assert!(err.contains("line 3, column 9"), "{err}");
    assert!(
        err.contains("unknown theme `blue`, expected one of: terminal, dark, light"),
        "{err}"
    );
    // The commands that help fix a config still work.
    let o = fazhi_env(&db, &["config", "--print-default"], &[("FAZHI_CONFIG", &cfg)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A named config that does not exist is an error, not silently skipped.
    let o = fazhi_env(&db, &["bureaus"], &[("FAZHI_CONFIG", &tmp.path().join("none.toml"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read the config"), "{}", stderr(&o));
}

#[test]
fn the_printed_default_config_is_the_default_and_config_reports_it() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    let o = fazhi(&db, &["config", "--print-default"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert_eq!(
        fazhi::config::Config::parse(&text).unwrap(),
        fazhi::config::Config::default()
    );
    // Installed where fazhi looks, it is found and loaded.
    let dir = tmp.path().join("config/fazhi");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        text.replace("theme = \"terminal\"", "theme = \"dark\""),
    )
    .unwrap();
    let o = fazhi(&db, &["config"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("config.toml (loaded)"), "{out}");
    assert!(out.contains("theme: dark"), "{out}");
}

#[test]
fn the_database_setting_is_used_when_no_db_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("from-config.db");
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, format!("database = \"{}\"\n", db.display())).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_fazhi"))
        .args(["index", &sample_dir()])
        .env_remove("FAZHI_DB")
        .env("FAZHI_CONFIG", &cfg)
        .env("XDG_STATE_HOME", tmp.path().join("state"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(db.exists());
    assert!(stdout(&o).contains("from-config.db"), "{}", stdout(&o));
}

#[test]
fn completions_man_page_version_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    for (shell, marker) in [
        ("bash", "complete -F _fazhi"),
        ("zsh", "#compdef fazhi"),
        ("fish", "complete -c fazhi"),
    ] {
        let o = fazhi(&db, &["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for sub in ["index", "search", "figures", "config", "completions"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let o = fazhi(&db, &["man"]);
    let page = stdout(&o);
    assert!(page.starts_with(".ie") && page.contains(".TH fazhi 1"), "{page}");
    assert!(page.contains("FAZHI_DB") && page.contains("Exit status"));
    let mandir = tmp.path().join("man");
    assert!(fazhi(&db, &["man", "--dir", mandir.to_str().unwrap()]).status.success());
    assert!(mandir.join("fazhi-index.1").exists() && mandir.join("fazhi.1").exists());
    let o = fazhi(&db, &["--version"]);
    assert_eq!(stdout(&o).trim(), format!("fazhi {}", env!("CARGO_PKG_VERSION")));
    // Every subcommand's help has examples.
    for sub in [
        "index",
        "parse",
        "search",
        "figures",
        "show",
        "bureaus",
        "config",
        "completions",
        "man",
    ] {
        let o = fazhi(&db, &[sub, "--help"]);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Examples:"), "`fazhi {sub} --help` has no examples");
    }
    // A usage error is exit code 2.
    assert_eq!(fazhi(&db, &["search"]).status.code(), Some(2));
}

#[test]
fn the_log_goes_to_the_state_folder_and_verbose_echoes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    let o = fazhi(&db, &["index", &sample_dir()]);
    assert!(o.status.success());
    assert!(!stderr(&o).contains("INFO"), "logged to the terminal: {}", stderr(&o));
    let log = std::fs::read_to_string(tmp.path().join("state/fazhi/fazhi.log")).unwrap();
    assert!(
        log.contains("INFO") && log.contains("indexed") && log.contains("new=7"),
        "{log}"
    );
    let o = fazhi(&db, &["-v", "bureaus"]);
    assert!(stderr(&o).contains("DEBUG"), "{}", stderr(&o));
}

fn fazhi_stdin(db: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let home = db.parent().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fazhi"))
        .args(args)
        .env("FAZHI_DB", db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("FAZHI_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn pick_and_batch_queries_with_timings() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fazhi.db");
    assert!(fazhi(&db, &["index", &sample_dir()]).status.success());

    // The palette's ranking from the command line.
    let o = fazhi(&db, &["pick", "@茅箭", "--limit", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "bureau\t十堰市茅箭区民政局\t2023\n");
    let o = fazhi(&db, &["pick", "婚姻登记", "--kind", "figure", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v[0];
    assert_eq!(first["kind"], "figure");
    assert_eq!(first["text"], "办理婚姻登记 2529件");
    assert_eq!(first["location"], "湖滨区民政局 · 2023 · 2.4");
    assert_eq!(first["matched"], serde_json::json!([2, 3, 4, 5]));

    // Several queries on stdin, each timed on stderr; stdout stays clean.
    let o = fazhi_stdin(&db, &["pick", "-", "--timings", "--limit", "2"], "民政\n\n法治宣传\n");
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(err.contains("loaded ") && err.contains(" distinct texts) in "), "{err}");
    assert!(
        err.contains("2 results  民政") && err.contains("2 results  法治宣传"),
        "{err}"
    );
    assert!(err.contains("2 queries: median "), "{err}");
    assert_eq!(stdout(&o).lines().count(), 4);
    let o = fazhi_stdin(
        &db,
        &["search", "-", "--json", "--limit", "1"],
        "婚姻登记\n低保 临时救助\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["query"], "婚姻登记");
    assert_eq!(v[1]["hits"].as_array().unwrap().len(), 1);
    let o = fazhi(&db, &["search", "婚姻登记", "--timings"]);
    assert!(stderr(&o).contains("6 results  婚姻登记"), "{}", stderr(&o));

    // The palette's worst case (no item shares its text, for measuring)
    // ranks as the palette does, keystroke by keystroke.
    let typed = "法\n法治\n法治宣\nfz\nfzx\n$hy\n@s\nmjm\n";
    let shared = fazhi_stdin(&db, &["pick", "-", "--json", "--limit", "30"], typed);
    let unshared = fazhi_stdin(&db, &["pick", "-", "--json", "--limit", "30", "--unshared"], typed);
    assert!(unshared.status.success(), "{}", stderr(&unshared));
    assert_eq!(stdout(&unshared), stdout(&shared));
    let o = fazhi_stdin(&db, &["pick", "-", "--timings", "--unshared"], "法治\n");
    let err = stderr(&o);
    let (items, texts) = err
        .split_once(" items (")
        .and_then(|(a, b)| Some((a.rsplit(' ').next()?, b.split(' ').next()?)))
        .unwrap();
    assert_eq!(items, texts, "{err}");
}

/// Opening an index written by an older fazhi upgrades it once, saying so
/// (rebuilding the full-text index of a large one takes a while), and what
/// it held is still found.
#[test]
fn an_older_index_is_upgraded_once_with_a_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    assert!(fazhi(&db, &["index", &sample_dir()]).status.success());
    let before = stdout(&fazhi(&db, &["search", "婚姻登记", "--json"]));
    common::back_to_schema_7(&db);
    {
        // Schema 5 as far as later ones changed it: paragraphs held their
        // points (the full-text index, with positions then, is rebuilt).
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "ALTER TABLE paragraphs ADD COLUMN points TEXT NOT NULL DEFAULT '[]';
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let o = fazhi(&db, &["search", "婚姻登记", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("upgrading the index")
            && stderr(&o).contains(&format!("schema 5 to {}", fazhi::store::schema::CURRENT_VERSION)),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), before);
    let again = fazhi(&db, &["search", "婚姻登记", "--json"]);
    assert!(!stderr(&again).contains("upgrading"), "{}", stderr(&again));
    assert_eq!(stdout(&again), before);
}
