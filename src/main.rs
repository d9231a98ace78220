fn main() -> std::process::ExitCode {
    paywizard_till::cli::main()
}
