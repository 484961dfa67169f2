fn main() {
    println!("ci-bot: skeleton");
}
