#[test]
fn load_shop() {
    let c = bellows::catalog::load_file("examples/schema/shop.sql").unwrap();
    println!(
        "{}",
        serde_json::to_string_pretty(&c.tables[&"public.users".parse().unwrap()]).unwrap()
    );
    println!("{:?}", c.views);
    println!("{} tables {} seqs", c.tables.len(), c.sequences.len());
}
