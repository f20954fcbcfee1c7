//! The config file: `$FAZHI_CONFIG`, else `$XDG_CONFIG_HOME/fazhi/config.toml`
//! (`~/.config/fazhi/config.toml`). Every setting is optional, so a config
//! written for an older fazhi keeps working; a wrong key or value is an
//! error naming the line and the accepted values, never silently ignored.

use crate::tui::keymap::{Action, Keymap, key_name, parse_key};
use crate::tui::theme::Theme;
use anyhow::{Context, Result, bail};
use crossterm::event::{KeyCode, KeyModifiers};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::path::{Path, PathBuf};

/// The config format this fazhi writes. Files without `version` are
/// version 1; a higher version was written by a newer fazhi.
pub const CONFIG_VERSION: u32 = 1;

/// How copied excerpts leave the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClipboardMethod {
    /// tmux inside tmux, screen inside screen, else OSC 52.
    #[default]
    Auto,
    Osc52,
    Tmux,
    Screen,
    File,
}

impl ClipboardMethod {
    const ALL: [(&'static str, ClipboardMethod); 5] = [
        ("auto", ClipboardMethod::Auto),
        ("osc52", ClipboardMethod::Osc52),
        ("tmux", ClipboardMethod::Tmux),
        ("screen", ClipboardMethod::Screen),
        ("file", ClipboardMethod::File),
    ];
}

/// The settings in effect: the defaults, changed by the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The index database when neither `--db` nor `FAZHI_DB` is given.
    pub database: Option<PathBuf>,
    pub theme: Theme,
    pub mouse: bool,
    pub clipboard: ClipboardMethod,
    /// Where `clipboard.method = "file"` appends excerpts.
    pub clipboard_file: Option<PathBuf>,
    pub keymap: Keymap,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database: None,
            theme: Theme::default(),
            mouse: true,
            clipboard: ClipboardMethod::Auto,
            clipboard_file: None,
            keymap: Keymap::default(),
        }
    }
}

/// The file's shape. Unknown keys are errors (a typo must not be ignored).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct File {
    version: Option<u32>,
    database: Option<String>,
    ui: Ui,
    clipboard: Clipboard,
    keys: Keys,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Ui {
    theme: Option<ThemeName>,
    mouse: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Clipboard {
    method: Option<MethodName>,
    file: Option<String>,
}

struct ThemeName(Theme);
struct MethodName(ClipboardMethod);
struct ActionName(Action);
struct KeyList(Vec<(KeyCode, KeyModifiers)>);
/// The `[keys]` table in file order.
#[derive(Default)]
struct Keys(Vec<(Action, Vec<(KeyCode, KeyModifiers)>)>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of action = keys")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(ActionName(a)) = map.next_key()? {
                    let KeyList(k) = map.next_value()?;
                    keys.push((a, k));
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

fn one_of<T: Copy>(value: &str, what: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("unknown {what} `{value}`, expected one of: {}", names.join(", "))
        })
}

impl<'de> Deserialize<'de> for ThemeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let choices: Vec<(&str, Theme)> = Theme::ALL.iter().map(|t| (t.name(), *t)).collect();
        one_of(&s, "theme", &choices).map(ThemeName).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for MethodName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        one_of(&s, "clipboard method", &ClipboardMethod::ALL)
            .map(MethodName)
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for ActionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let choices: Vec<(&str, Action)> = Action::ALL.iter().map(|a| (a.name(), *a)).collect();
        one_of(&s, "action", &choices)
            .map(ActionName)
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// `quit = "q"` or `quit = ["q", "ctrl-c"]`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let names = match OneOrMany::deserialize(d)
            .map_err(|_| de::Error::custom("expected a key such as \"q\" or a list such as [\"q\", \"ctrl-c\"]"))?
        {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        names
            .iter()
            .map(|n| parse_key(n))
            .collect::<Result<Vec<_>, _>>()
            .map(KeyList)
            .map_err(de::Error::custom)
    }
}

/// The line (1-based) where `name = …` is set in `[table]` (or before any
/// table), for errors found after parsing; 0 when not found.
fn line_of(text: &str, table: Option<&str>, name: &str) -> usize {
    let mut current: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = Some(h.trim());
        } else if current == table
            && let Some(rest) = t.strip_prefix(name)
            && rest.trim_start().starts_with('=')
        {
            return i + 1;
        }
    }
    0
}

/// Where the config file is looked for, and whether it was named
/// explicitly (then it must exist).
pub fn config_path() -> Option<(PathBuf, bool)> {
    if let Some(p) = std::env::var_os("FAZHI_CONFIG").filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    let dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))?;
    Some((dir.join("fazhi").join("config.toml"), false))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `~/x` is the home folder's x.
fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(p),
    }
}

impl Config {
    /// The config in effect: the file at [`config_path`] if there is one.
    pub fn load() -> Result<(Config, Option<PathBuf>)> {
        let Some((path, explicit)) = config_path() else {
            return Ok((Config::default(), None));
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let cfg = Config::parse(&text).with_context(|| format!("config {}", path.display()))?;
                Ok((cfg, Some(path)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok((Config::default(), None)),
            // Someone else's home (sudo, a shared account): say so, go on.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && !explicit => {
                eprintln!(
                    "fazhi: cannot read the config {}: {e}; using the defaults",
                    path.display()
                );
                Ok((Config::default(), None))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read the config {}", path.display())),
        }
    }

    /// Parses a config file's text. Errors name the line and column and,
    /// for a wrong name, the accepted ones.
    pub fn parse(text: &str) -> Result<Config> {
        let file: File = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
        if let Some(v) = file.version
            && v > CONFIG_VERSION
        {
            bail!(
                "line {}: this config is version {v}, written for a newer fazhi; this one reads version {CONFIG_VERSION}",
                line_of(text, None, "version")
            );
        }
        let mut cfg = Config {
            database: file.database.as_deref().map(expand_home),
            clipboard_file: file.clipboard.file.as_deref().map(expand_home),
            ..Config::default()
        };
        if let Some(ThemeName(t)) = file.ui.theme {
            cfg.theme = t;
        }
        if let Some(m) = file.ui.mouse {
            cfg.mouse = m;
        }
        if let Some(MethodName(m)) = file.clipboard.method {
            cfg.clipboard = m;
        }
        if cfg.clipboard == ClipboardMethod::File && cfg.clipboard_file.is_none() {
            bail!(
                "line {}: [clipboard] method = \"file\" needs file = \"PATH\" (where excerpts are appended)",
                line_of(text, Some("clipboard"), "method")
            );
        }
        let mut given: Vec<((KeyCode, KeyModifiers), Action)> = Vec::new();
        for (action, keys) in &file.keys.0 {
            for key in keys {
                if let Some((_, other)) = given.iter().find(|(k, _)| Keymap::same_key(*k, *key)) {
                    bail!(
                        "line {}: [keys]: {} is given to both {} (line {}) and {}",
                        line_of(text, Some("keys"), action.name()),
                        key_name(key.0, key.1),
                        other.name(),
                        line_of(text, Some("keys"), other.name()),
                        action.name()
                    );
                }
                given.push((*key, *action));
            }
            cfg.keymap.bind(*action, keys);
        }
        Ok(cfg)
    }

    /// The default config, every setting commented, as
    /// `fazhi config --print-default` writes it.
    pub fn default_text() -> String {
        let map = Keymap::default();
        let mut s = format!(
            "# fazhi configuration: {}
# Every setting is optional; delete what you don't change. A line starting
# with # is a comment.

# The format of this file (a newer fazhi still reads older versions).
version = {CONFIG_VERSION}

# The index database, when neither --db nor FAZHI_DB names one.
# The default is $XDG_DATA_HOME/fazhi/index.db (~/.local/share/fazhi/index.db).
# database = \"~/research/fazhi.db\"

[ui]
# Colours: \"terminal\" (the terminal's own 16 colours, follows your palette),
# \"dark\" or \"light\" (256-colour shades for a dark or light background).
# NO_COLOR=1 in the environment turns colour off; highlights stay visible
# as bold, underline and reverse.
theme = \"terminal\"
# Clicks and the wheel in the browser. false leaves the mouse to the
# terminal, so you can select text natively (same as --no-mouse).
mouse = true

[clipboard]
# How `y` copies: \"auto\" (tmux inside tmux, screen inside screen, else
# OSC 52), \"osc52\" (the terminal's clipboard sequence; works over SSH),
# \"tmux\" (tmux load-buffer -w), \"screen\", or \"file\" (append to `file`).
method = \"auto\"
# With method = \"file\": the file excerpts are appended to.
# file = \"~/fazhi-excerpts.txt\"

[keys]
# action = \"key\" or [\"key\", \"key\"]. Naming an action replaces its keys;
# a key given here leaves the action it had; [] unbinds. Keys: a character
# (j, G, ?, :), or space, enter, esc, tab, backspace, delete, insert, up,
# down, left, right, home, end, pgup, pgdn, f1-f12, after ctrl-, alt- or
# shift- (ctrl-p, shift-tab). Popups keep their own editing keys.
",
            config_path()
                .map(|(p, _)| p.display().to_string())
                .unwrap_or_else(|| "~/.config/fazhi/config.toml".into())
        );
        for a in Action::ALL {
            let keys: Vec<String> = map.keys_of_config(a).iter().map(|k| format!("{k:?}")).collect();
            s.push_str(&format!("# {}\n{} = [{}]\n", a.describe(), a.name(), keys.join(", ")));
        }
        s
    }
}

/// Checks the settings for `fazhi config`: where the file is and what is in
/// effect.
pub fn describe(cfg: &Config, path: Option<&Path>) -> String {
    let mut s = match path {
        Some(p) => format!("config: {} (loaded)\n", p.display()),
        None => match config_path() {
            Some((p, _)) => format!("config: {} (not present; defaults in effect)\n", p.display()),
            None => "config: none (set HOME, XDG_CONFIG_HOME or FAZHI_CONFIG)\n".to_string(),
        },
    };
    s.push_str(&format!(
        "theme: {}\nmouse: {}\nclipboard: {}{}\n",
        cfg.theme.name(),
        if cfg.mouse { "on" } else { "off" },
        ClipboardMethod::ALL
            .iter()
            .find(|(_, m)| *m == cfg.clipboard)
            .map_or("auto", |(n, _)| n),
        cfg.clipboard_file
            .as_ref()
            .map(|p| format!(" → {}", p.display()))
            .unwrap_or_default()
    ));
    if let Some(db) = &cfg.database {
        s.push_str(&format!("database: {}\n", db.display()));
    }
    s
}
