use ancillary::ControlMessages;

#[derive(ControlMessages)]
enum Any<'a, 'b, T> {
    One(&'a T),
    Two(&'b T),
}

fn main() {}
