import DroverSystem
import Testing

@Suite struct CStringArrayTests {
    @Test func keepsBytesAndBorrowsItsBase() {
        let base = CStringArray([Array("A=".utf8) + [0xE9], Array("B=2".utf8)])
        let extended = CStringArray(base, appending: [Array("PORT=5000".utf8)])
        #expect(base.strings == [Array("A=".utf8) + [0xE9], Array("B=2".utf8)])
        #expect(extended.strings == base.strings + [Array("PORT=5000".utf8)])
        #expect(extended.count == 3)
        extended.withUnsafePointer { pointers in
            #expect(pointers[3] == nil)
        }
    }
}
