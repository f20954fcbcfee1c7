//! The `fazhi` binary: a thin shell over the library's CLI.

fn main() -> std::process::ExitCode {
    fazhi::cli::main()
}
