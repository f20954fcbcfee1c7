//! Copying over a real SSH connection: fazhi runs on the far side of
//! `ssh -t` (an `sshd` on a loopback port with throwaway keys), inside a
//! local tmux with `set-clipboard on`; `y` must put the exact excerpt and
//! citation into the local tmux buffer. Once with fazhi straight in the SSH
//! session (OSC 52 through ssh), once inside a tmux on the server side
//! (`tmux load-buffer -w`, which forwards to the outer terminal).
//!
//! Needs sshd, ssh, ssh-keygen and tmux. Without them the test says so and
//! passes, unless FAZHI_REQUIRE_SSH is set (`.ci/run` sets it after
//! installing them), where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether the tools are here; panics when they are required but missing.
fn tools_present() -> bool {
    let missing: Vec<&str> = ["ssh", "ssh-keygen", "tmux"]
        .into_iter()
        .filter(|p| !have(p))
        .chain((!Path::new(SSHD).exists()).then_some(SSHD))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "SSH copy test skipped: missing {} (apt-get install openssh-server openssh-client tmux)",
        missing.join(", ")
    );
    if std::env::var_os("FAZHI_REQUIRE_SSH").is_some() {
        panic!("{msg}");
    }
    eprintln!("{msg}");
    false
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// An sshd on a loopback port, accepting one throwaway key; killed on drop.
struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
    log: PathBuf,
}

impl Sshd {
    fn start(dir: &Path) -> Sshd {
        let key = dir.join("id");
        let host = dir.join("host");
        for k in [&key, &host] {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(k));
        }
        std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).unwrap();
        // sshd wants its privilege-separation folder (creating it needs root;
        // .ci/run makes it too).
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
                 UsePAM no\nStrictModes no\nPermitRootLogin yes\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nAcceptEnv LANG LC_*\n",
                host.display(),
                dir.join("authorized_keys").display(),
                dir.join("sshd.pid").display()
            ),
        )
        .unwrap();
        let log = dir.join("sshd.log");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(&config)
            .arg("-E")
            .arg(&log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start sshd");
        let sshd = Sshd { child, port, key, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not start: {}",
                std::fs::read_to_string(&sshd.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    /// The `ssh -t` command line that runs `remote` on the far side.
    fn ssh(&self, remote: &str) -> String {
        let user = run(Command::new("id").arg("-un")).trim().to_string();
        format!(
            "ssh -t -F /dev/null -i {} -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o BatchMode=yes -o LogLevel=ERROR {user}@127.0.0.1 {}",
            quote(&self.key),
            self.port,
            quote(Path::new(remote))
        )
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tmux server of the test's own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-u").arg("-L").arg(&self.socket).env_remove("TMUX");
        c
    }

    fn start(socket: String, config: &Path, command: &str) -> Tmux {
        let t = Tmux { socket };
        run(t
            .cmd()
            .arg("-f")
            .arg(config)
            .args(["new-session", "-d", "-x", "120", "-y", "40"])
            .arg(command));
        t
    }

    fn screen(&self) -> String {
        self.cmd()
            .args(["capture-pane", "-p"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    fn wait_for(&self, what: &str, sshd: &Sshd) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {what:?}; screen:\n{s}\nsshd log:\n{}",
                std::fs::read_to_string(&sshd.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        run(self.cmd().arg("send-keys").args(keys));
    }

    fn buffer(&self) -> Option<String> {
        let out = self.cmd().arg("show-buffer").output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// Copies the first paragraph of section 1.1 over SSH, with or without
/// tmux on the server side, and checks the local tmux buffer.
fn copy_over_ssh(server_tmux: bool) {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = common::index_samples(dir.path());
    let paragraph = common::stored_paragraph(&db, "茅箭", |t| t.starts_with("成立由局党组书记"));
    let expected = format!(
        "{paragraph}\n—— 十堰市茅箭区民政局《茅箭区民政局2023年度法治政府建设年度报告》（2023年度），\
         一、2023年度推进法治政府建设的主要举措和成效 > (一)加强对法治茅箭建设工作的组织领导。"
    );

    let sshd = Sshd::start(dir.path());
    // The far side starts with a clean environment: name the index and keep
    // fazhi's config and log inside the test's folder.
    let fazhi = format!(
        "env FAZHI_DB={} XDG_CONFIG_HOME={} XDG_STATE_HOME={} {}",
        quote(&db),
        quote(&dir.path().join("config")),
        quote(&dir.path().join("state")),
        quote(Path::new(env!("CARGO_BIN_EXE_fazhi")))
    );
    let tag = format!("fazhi-ssh-{}-{}", std::process::id(), u8::from(server_tmux));
    let inner_socket = format!("{tag}-server");
    // The server's tmux runs with no config at all: tmux's own defaults.
    let remote = if server_tmux {
        format!(
            "tmux -u -L {inner_socket} -f /dev/null new-session {}",
            quote(Path::new(&fazhi))
        )
    } else {
        fazhi
    };
    let local_conf = dir.path().join("tmux.conf");
    std::fs::write(&local_conf, "set -g set-clipboard on\n").unwrap();
    let local = Tmux::start(format!("{tag}-local"), &local_conf, &sshd.ssh(&remote));
    let _inner = server_tmux.then(|| Tmux { socket: inner_socket });

    local.wait_for("机构 7 · 报告 7", &sshd);
    local.keys(&["Tab"]);
    local.keys(&["j"]);
    local.wait_for("1.1 加强对法治茅箭建设工作的组织领导", &sshd);
    local.keys(&["Tab"]);
    local.keys(&["y"]);
    let status = if server_tmux {
        "to the tmux buffer"
    } else {
        "to the clipboard (OSC 52)"
    };
    local.wait_for(
        &format!("copied {} characters {status}", expected.chars().count()),
        &sshd,
    );
    // The buffer arrives just after the status line; allow it a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    let got = loop {
        match local.buffer() {
            Some(b) => break b,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            None => panic!("nothing arrived in the local tmux buffer"),
        }
    };
    assert_eq!(got, expected);
    local.keys(&["q"]);
}

#[test]
fn copy_over_ssh_reaches_the_local_tmux_buffer() {
    copy_over_ssh(false);
}

#[test]
fn copy_over_ssh_through_a_server_side_tmux_reaches_the_local_tmux_buffer() {
    copy_over_ssh(true);
}
