//! `sandbox-proxy --listen ADDR --upstream IP:PORT`: see the library docs.

fn main() {
    let cfg = match sandbox_proxy::Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sandbox-proxy: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = sandbox_proxy::run(&cfg) {
        eprintln!("sandbox-proxy: {e}");
        std::process::exit(1);
    }
}
