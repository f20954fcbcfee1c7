//! Prints the default key table as Markdown (the README's table).
fn main() {
    print!("{}", fazhi::tui::keymap::Keymap::default().markdown_table());
}
