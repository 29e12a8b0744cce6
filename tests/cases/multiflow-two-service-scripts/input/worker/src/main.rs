fn main() {
    println!("worker");
}
