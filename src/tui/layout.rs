//! Where the panes go for a terminal size. Shared by drawing and by mouse
//! handling (and the text width used for wrapping), so they always agree.

use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Bureaus,
    Outline,
    Text,
    Figures,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panes {
    pub bureaus: Option<Rect>,
    pub outline: Option<Rect>,
    pub text: Option<Rect>,
    pub figures: Option<Rect>,
    pub status: Rect,
}

impl Panes {
    pub fn get(&self, p: Pane) -> Option<Rect> {
        match p {
            Pane::Bureaus => self.bureaus,
            Pane::Outline => self.outline,
            Pane::Text => self.text,
            Pane::Figures => self.figures,
        }
    }

    pub fn at(&self, x: u16, y: u16) -> Option<Pane> {
        [Pane::Bureaus, Pane::Outline, Pane::Text, Pane::Figures]
            .into_iter()
            .find(|p| self.get(*p).is_some_and(|r| r.contains((x, y).into())))
    }
}

/// Wide terminals show every pane; narrower ones keep the text and the pane
/// in use; the narrowest show only the focused pane.
pub fn panes(area: Rect, focus: Pane, show_figures: bool) -> Panes {
    let status = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(1),
        area.width,
        area.height.min(1),
    );
    let main = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    let mut p = Panes {
        status,
        ..Panes::default()
    };
    if main.height == 0 || main.width == 0 {
        return p;
    }
    let split = |r: Rect, w: u16| -> (Rect, Rect) {
        let w = w.min(r.width);
        (
            Rect::new(r.x, r.y, w, r.height),
            Rect::new(r.x + w, r.y, r.width - w, r.height),
        )
    };
    if main.width >= 110 {
        let (b, rest) = split(main, 26);
        // The outline grows with the screen: long headings are its content.
        let (o, rest) = split(rest, (main.width / 5).clamp(34, 56));
        p.bureaus = Some(b);
        p.outline = Some(o);
        if show_figures {
            let (t, f) = split(rest, rest.width.saturating_sub(36));
            p.text = Some(t);
            p.figures = Some(f);
        } else {
            p.text = Some(rest);
        }
    } else if main.width >= 64 {
        let side = match focus {
            Pane::Bureaus => Pane::Bureaus,
            Pane::Figures if show_figures => Pane::Figures,
            _ => Pane::Outline,
        };
        let (s, t) = split(main, 30);
        match side {
            Pane::Bureaus => p.bureaus = Some(s),
            Pane::Figures => p.figures = Some(s),
            _ => p.outline = Some(s),
        }
        p.text = Some(t);
    } else {
        match focus {
            Pane::Bureaus => p.bureaus = Some(main),
            Pane::Outline => p.outline = Some(main),
            Pane::Figures if show_figures => p.figures = Some(main),
            _ => p.text = Some(main),
        }
    }
    p
}
