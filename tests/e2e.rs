//! The real `fazhi` binary in a pseudo-terminal, driven by keystrokes as a
//! user drives it; the screen is read back through a terminal emulator
//! (vt100) and the raw bytes are checked for the clipboard sequence.

mod common;

use fazhi::store::Store;
use fazhi::store::writer::IndexOptions;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Session {
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    stop_reader: Arc<std::sync::atomic::AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Session {
    fn start(db: &Path) -> Session {
        Session::start_with_config(db, None)
    }

    /// Starts fazhi with its own config and state folders beside `db`, and
    /// with `config` as its config file when given.
    fn start_with_config(db: &Path, config: Option<&str>) -> Session {
        let home = db.parent().expect("db in a folder");
        if let Some(text) = config {
            std::fs::create_dir_all(home.join("config/fazhi")).unwrap();
            std::fs::write(home.join("config/fazhi/config.toml"), text).unwrap();
        }
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_fazhi"));
        cmd.env("FAZHI_DB", db);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env_remove("FAZHI_CONFIG");
        cmd.env_remove("FAZHI_LOG");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("TMUX");
        cmd.env_remove("STY");
        cmd.env_remove("NO_COLOR");
        let child = pty.slave.spawn_command(cmd).expect("spawn fazhi");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let fd = pty.master.as_raw_fd().expect("a file descriptor");
        let writer = pty.master.take_writer().expect("writer");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&raw);
        let stop_reader = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = Arc::clone(&stop_reader);
        // The reader waits with a timeout, so it can be told to stop and
        // close its copy of the terminal (see `hang_up`).
        let reader_thread = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, for the duration of the call.
                if unsafe { libc::poll(&mut pfd, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.lock().unwrap().extend_from_slice(&buf[..n]),
                }
            }
        });
        Session {
            raw,
            writer: Some(writer),
            child,
            master: Some(pty.master),
            stop_reader,
            reader: Some(reader_thread),
        }
    }

    fn parser(&self) -> vt100::Parser {
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
        let mut p = vt100::Parser::new(size(40), size(120), 0);
        p.process(&self.raw.lock().unwrap());
        p
    }

    fn screen(&self) -> String {
        self.parser().screen().contents()
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "waited for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Closes every handle on our side of the terminal, as a dropped
    /// connection does: the program's terminal is hung up.
    fn hang_up(&mut self) {
        self.stop_reader.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        self.writer = None;
        self.master = None;
    }

    fn send(&mut self, bytes: &str) {
        let w = self.writer.as_mut().expect("terminal still open");
        w.write_all(bytes.as_bytes()).unwrap();
        w.flush().unwrap();
        // Keys typed at human speed: each is its own read for the terminal.
        std::thread::sleep(Duration::from_millis(60));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    fn wait_exit(&mut self) {
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "fazhi did not exit");
            std::thread::sleep(Duration::from_millis(30));
        }
        // Let the reader take the last bytes.
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Drop for Session {
    // A failing test must not leave the program running.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn indexed() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::index_samples(dir.path());
    (dir, db)
}

#[test]
fn browse_jump_copy_and_quit() {
    let (_dir, db) = indexed();
    let mut s = Session::start(&db);
    s.wait_for("机构 7 · 报告 7");
    s.wait_for("十堰市茅箭区民政局 · 2023年度");

    // Move between panes and down the outline.
    s.send("\t");
    s.send("j");
    s.send("j");
    s.wait_for("· 1.2 深入学习宣传习近平法治思想");

    // Fuzzy-jump to a section of another report by part of its heading.
    s.send("\x10"); // Ctrl-P
    s.wait_for("jump to");
    s.type_text("社会救助规范");
    s.wait_for("章节 社会救助规范有序  湖滨区民政局 · 2023 · 2.3");
    s.send("\r");
    s.wait_for("湖滨区民政局 · 2023 · 2.3 社会救助规范有序");

    // Jump to a figure with the $ prefix.
    s.send(":");
    s.type_text("$300余份");
    s.wait_for("数据 发放法治宣传资料 300余份");
    s.send("\r");
    s.wait_for("十堰市茅箭区民政局 · 2023 · 1.4 加强法治文化建设");

    // Copy the paragraph: the OSC 52 sequence carries excerpt + citation.
    let paragraph = common::stored_paragraph(&db, "茅箭", |t| t.contains("300余份"));
    let expected = format!(
        "{paragraph}\n—— 十堰市茅箭区民政局《茅箭区民政局2023年度法治政府建设年度报告》（2023年度），\
         一、2023年度推进法治政府建设的主要举措和成效 > (四)加强法治文化建设。"
    );
    let before = s.raw.lock().unwrap().len();
    s.send("y");
    s.wait_for(&format!(
        "copied {} characters to the clipboard (OSC 52)",
        expected.chars().count()
    ));
    let raw = s.raw.lock().unwrap()[before..].to_vec();
    let raw = String::from_utf8_lossy(&raw);
    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence");
    let end = raw[start..].find('\x07').expect("terminated by BEL") + start;
    assert_eq!(&raw[start + 7..end], fazhi::tui::clipboard::base64(expected.as_bytes()));
    assert_eq!(decode_base64(&raw[start + 7..end]), expected);

    // Quit: the alternate screen is left and the cursor shown again.
    s.send("q");
    s.wait_exit();
    let p = s.parser();
    assert!(!p.screen().alternate_screen(), "still on the alternate screen");
    assert!(!p.screen().hide_cursor(), "cursor still hidden");
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(
        raw.contains("\x1b[?1000l") || raw.contains("\x1b[?1006l"),
        "mouse capture ended"
    );
}

#[test]
fn the_config_file_remaps_keys_and_sets_the_clipboard_file() {
    let (dir, db) = indexed();
    let excerpts = dir.path().join("excerpts.txt");
    let config = format!(
        "[ui]\ntheme = \"light\"\n[clipboard]\nmethod = \"file\"\nfile = \"{}\"\n[keys]\n\
         quit = \"x\"\ncopy_excerpt = \"c\"\npalette = [\"p\", \"ctrl-p\"]\n",
        excerpts.display()
    );
    let mut s = Session::start_with_config(&db, Some(&config));
    s.wait_for("机构 7 · 报告 7");
    // The help lists the user's keys.
    s.wait_for("? help · p jump · / search · c copy · x quit");
    s.send("?");
    s.wait_for("copy the whole section with a citation");
    let help = s.screen();
    assert!(
        help.lines().any(|l| l.contains("┃x ") && l.contains(" quit ")),
        "{help}"
    );
    assert!(help.lines().any(|l| l.contains("┃p Ctrl-P ")), "{help}");
    s.send("\x1b");
    // p now opens the palette.
    s.send("p");
    s.wait_for("jump to");
    s.type_text("$300余份");
    s.wait_for("数据 发放法治宣传资料 300余份");
    s.send("\r");
    s.wait_for("1.4 加强法治文化建设");
    // y is no longer copy; c is, into the configured file.
    s.send("y");
    s.send("c");
    s.wait_for("appended");
    let copied = std::fs::read_to_string(&excerpts).unwrap();
    assert!(copied.contains("发放法治宣传资料300余份"), "{copied}");
    assert_eq!(copied.matches("—— 十堰市茅箭区民政局").count(), 1, "{copied}");
    // q no longer quits; x does.
    s.send("q");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(s.child.try_wait().unwrap().is_none(), "q still quit");
    s.send("x");
    s.wait_exit();
}

#[test]
fn escape_sequences_in_reports_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    common::hostile::write_corpus(&corpus, 0);
    let db = dir.path().join("fazhi.db");
    Store::open(&db)
        .unwrap()
        .index(&[corpus], IndexOptions::default(), &mut |_| {})
        .unwrap();
    let mut s = Session::start(&db);
    s.wait_for("机构");
    // Open the report full of escape sequences, read it, list its figures,
    // search it, and open the bidi one.
    s.send(":");
    s.type_text("!武当");
    s.wait_for("十堰市武当区民政局");
    s.send("\r");
    s.wait_for("十堰市武当区民政局 · 2023年度");
    s.send("\t\t");
    for _ in 0..30 {
        s.send("\x06"); // Ctrl-F: page down through the text
    }
    s.send("f");
    s.wait_for("数据 ·");
    s.send("/");
    s.type_text("法治");
    s.wait_for("法治");
    s.send("\r");
    s.send(":");
    s.type_text("!神农");
    s.wait_for("十堰市神农区民政局");
    s.send("\r");
    s.wait_for("十堰市神农区民政局 · 2023 · ");
    s.send("q");
    s.wait_exit();
    let raw = s.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    for payload in [
        "pwned", "ZXZpbA", "\x1b]52", "\x1b]0;", "\x1b]2;", "\x1bP", "\u{9b}", "\u{202e}", "\u{2066}",
    ] {
        assert!(!text.contains(payload), "{payload:?} reached the terminal");
    }
}

#[test]
fn reports_indexed_while_browsing_appear_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let (first, rest) = common::SAMPLES.split_first().unwrap();
    std::fs::copy(common::sample_path(first.file), data.join(first.file)).unwrap();
    let db = dir.path().join("fazhi.db");
    let mut store = Store::open(&db).unwrap();
    store
        .index(std::slice::from_ref(&data), IndexOptions::default(), &mut |_| {})
        .unwrap();
    let mut s = Session::start(&db);
    s.wait_for("机构 1 · 报告 1");
    // Another process indexes more reports while the browser is open.
    for e in rest {
        std::fs::copy(common::sample_path(e.file), data.join(e.file)).unwrap();
    }
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fazhi"))
        .args(["--db", db.to_str().unwrap(), "index", data.to_str().unwrap()])
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    s.wait_for("机构 7 · 报告 7");
    s.wait_for("index reloaded: 7 reports (6 new)");
    s.send("q");
    s.wait_exit();
}

#[test]
fn sigterm_restores_the_terminal() {
    let (_dir, db) = indexed();
    let mut s = Session::start(&db);
    s.wait_for("机构 7 · 报告 7");
    let pid = s.child.process_id().expect("pid");
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    s.wait_exit();
    let p = s.parser();
    assert!(!p.screen().alternate_screen());
    assert!(!p.screen().hide_cursor());
}

fn decode_base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = T.iter().position(|&t| t == c).expect("base64 alphabet") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).expect("UTF-8 excerpt")
}

#[test]
fn sighup_ends_the_program() {
    // A dropped ssh connection or a killed tmux sends SIGHUP. fazhi must exit
    // (the input thread may be stuck reading a dead terminal, so the event
    // loop watches the signal itself).
    let (_dir, db) = indexed();
    let mut s = Session::start(&db);
    s.wait_for("机构 7 · 报告 7");
    let pid = s.child.process_id().expect("pid");
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let start = Instant::now();
    while s.child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "fazhi kept running after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!s.parser().screen().alternate_screen());
}

#[test]
fn a_dead_terminal_ends_the_program() {
    // The connection drops: every handle on the terminal's far side closes.
    // Reads then fail at once, and crossterm's input loop can spin in them;
    // fazhi must notice and exit instead of burning a core.
    let (_dir, db) = indexed();
    let mut s = Session::start(&db);
    s.wait_for("机构 7 · 报告 7");
    s.hang_up();
    let start = Instant::now();
    while s.child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "fazhi kept running after its terminal was gone"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn views_across_reports_open_in_a_real_terminal() {
    let (_dir, db) = indexed();
    let mut s = Session::start(&db);
    s.wait_for("机构 7 · 报告 7");
    // The bureau filter reads pinyin.
    s.send("i");
    s.type_text("maojian");
    s.wait_for("filter: maojian");
    s.wait_for("▾ 十堰市茅箭区民政局");
    s.send("\x1b");
    // Coverage.
    s.send("a");
    s.wait_for("覆盖 coverage · 7 reports · 6 with the four required parts");
    // Compare: shortcomings, then side by side.
    s.send("c");
    s.wait_for("heading:");
    s.send("2");
    s.wait_for("不足 (shortcomings) · 6 reports");
    s.send("s");
    s.wait_for("◧ 十堰市茅箭区民政局");
    // Figures: a measure by pinyin initials.
    s.send("F");
    s.wait_for("临时救助 · 3 figures");
    s.send("i");
    s.type_text("hydj");
    s.send("\r");
    s.wait_for("婚姻登记 · 2 figures");
    s.send("\x1b");
    s.wait_for("机构 7 · 报告 7");
    s.send("q");
    s.wait_exit();
}
