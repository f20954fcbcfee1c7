//! Colour themes. Every highlight also has a modifier (bold, underline,
//! reverse), so nothing depends on colour alone; `NO_COLOR` drops the
//! colours and keeps the modifiers.

use ratatui::style::Color;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// The terminal's own 16 colours: follows whatever palette the user set.
    #[default]
    Terminal,
    /// 256-colour shades chosen for a dark background.
    Dark,
    /// 256-colour shades chosen for a light background.
    Light,
}

/// The colours a view draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    pub figure: Color,
    pub matched: Color,
    pub dim: Color,
    pub accent: Color,
    pub covered: Color,
    pub inline: Color,
    pub missing: Color,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Terminal, Theme::Dark, Theme::Light];

    pub fn name(self) -> &'static str {
        match self {
            Theme::Terminal => "terminal",
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }

    pub fn from_name(name: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn colors(self) -> Colors {
        match self {
            Theme::Terminal => Colors {
                figure: Color::Yellow,
                matched: Color::Magenta,
                dim: Color::DarkGray,
                accent: Color::Cyan,
                covered: Color::Green,
                inline: Color::Yellow,
                missing: Color::Red,
            },
            Theme::Dark => Colors {
                figure: Color::Indexed(221),
                matched: Color::Indexed(213),
                dim: Color::Indexed(245),
                accent: Color::Indexed(81),
                covered: Color::Indexed(114),
                inline: Color::Indexed(221),
                missing: Color::Indexed(203),
            },
            Theme::Light => Colors {
                figure: Color::Indexed(130),
                matched: Color::Indexed(127),
                dim: Color::Indexed(242),
                accent: Color::Indexed(25),
                covered: Color::Indexed(28),
                inline: Color::Indexed(130),
                missing: Color::Indexed(160),
            },
        }
    }
}
