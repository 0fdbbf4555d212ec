#include "drivers/ssh/tunneled_session.hpp"

namespace dsb::drivers::ssh {

namespace asio = boost::asio;

namespace {

class TunneledSession final : public DriverSession {
 public:
  TunneledSession(std::unique_ptr<DriverSession> inner, std::unique_ptr<SshTunnel> tunnel)
      : tunnel_(std::move(tunnel)), inner_(std::move(inner)) {}
  // The driver says goodbye and closes its connection first, so the tunnel
  // still carries it; only then does the tunnel end.
  ~TunneledSession() override { inner_.reset(); }

  asio::awaitable<Result<void>> probe(Deadline deadline) override {
    return inner_->probe(deadline);
  }
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override {
    return inner_->fetch_schema(filter, reporter, deadline);
  }
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override {
    return inner_->list_databases(deadline);
  }
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override {
    return inner_->query(std::move(sql), std::move(params), deadline);
  }

 private:
  std::unique_ptr<SshTunnel> tunnel_;  // declared first: destroyed last
  std::unique_ptr<DriverSession> inner_;
};

}  // namespace

std::unique_ptr<DriverSession> tunneled_session(std::unique_ptr<DriverSession> inner,
                                                std::unique_ptr<SshTunnel> tunnel) {
  return std::make_unique<TunneledSession>(std::move(inner), std::move(tunnel));
}

}  // namespace dsb::drivers::ssh
