import Config

extension LabelSelector {
    /// Parses a `labelSelector` query parameter with Config's selector grammar (the one the
    /// controller and speaker match nodes with), so the fake filters exactly as they select.
    ///
    /// - Throws: `APIError` 400 BadRequest "unable to parse requirement: …", as the API server
    ///   answers a malformed selector.
    public init(queryParameter text: String) throws(APIError) {
        do {
            self = try LabelSelector(parsing: text)
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)")
        }
    }
}
