package dev.cria.serve;

/** A signed-in person: labellers label and see their own work; admins also train, export, import and manage users. */
public record User(long id, String name, Role role) {
    public enum Role {
        LABELLER, ADMIN;

        public String dbName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Role parse(String field, String value) {
            return switch (value == null ? "" : value) {
                case "labeller" -> LABELLER;
                case "admin" -> ADMIN;
                default -> throw ApiError.badField(field, "must be labeller or admin, got '" + value + "'");
            };
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
