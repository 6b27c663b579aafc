//! Generates the Kotlin and Swift sources from the built library:
//! `target/debug/uniffi-bindgen generate --library target/debug/libprestasi_mobile.so --language kotlin --out-dir …`
fn main() {
    uniffi::uniffi_bindgen_main()
}
