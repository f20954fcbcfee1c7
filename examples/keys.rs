fn main() {
    print!("{}", fazhi::tui::keymap::markdown_table());
}
