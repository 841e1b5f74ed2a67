/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * message.h - the message helpers: what message.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_MESSAGE_H
#define FXSD_SIP_MESSAGE_H

#include "sip/internal.h"

void random_hex(char *buf, size_t nhex);
char *xstrdup0(const char *s);
void set_str(char **dst, const char *s);
uint64_t now_usec(sd_event *e);
const char *header_value(osip_message_t *m, const char *name);
const char *gparam(osip_list_t *params, const char *name);
const char *from_tag(osip_from_t *f);
const char *top_branch(osip_message_t *m);
const char *body_of(osip_message_t *m);
int sdp_body(osip_message_t *m, const char **ret_sdp);
char *call_id_of(osip_message_t *m);
char *name_addr_without_tag(osip_from_t *f);
osip_message_t *make_response(struct sip_agent *a, osip_message_t *req,
			      int code, const char *to_tag);
void response_add_body(osip_message_t *r, const char *sdp);
void contact_value_scheme(struct sip_agent *a, bool tcp, bool sips,
			  char *buf, size_t len);
void contact_value(struct sip_agent *a, bool tcp, char *buf,
		   size_t len);
int via_destination(struct sip_agent *a, osip_message_t *req, bool tcp,
		    struct sockaddr_storage *ss, socklen_t *sl);
void respond_stateless_hdrs(struct sip_agent *a, osip_message_t *req,
			    int code, const struct sip_peer *src,
			    const char *const *hdrs);
void respond_stateless(struct sip_agent *a, osip_message_t *req,
		       int code, const struct sip_peer *src);
int tx_respond(struct sip_agent *a, osip_transaction_t *tr,
	       osip_message_t *resp);
int respond_in_tx(struct sip_agent *a, osip_transaction_t *tr,
		  int code, const char *to_tag);
void respond_415_sdp(struct sip_agent *a, osip_transaction_t *tr,
		     const char *to_tag);
void add_warning(struct sip_agent *a, osip_message_t *r, int code,
		 const char *text);
int build_request_text(struct sip_agent *a, const struct req_spec *s,
		       struct tbuf *b, char *ret_branch, size_t brlen);
int build_request(struct sip_agent *a, const struct req_spec *s,
		  osip_message_t **ret, char *ret_branch, size_t brlen);
const struct sip_server *ood_server(struct sip_agent *a, bool reg);
bool content_type_is(osip_message_t *m, const char *type,
		     const char *subtype);
int message_check(osip_message_t *m, const char *buf, size_t len,
		  const char **why);
void add_received(osip_message_t *m, const struct sockaddr_storage *src);

#endif /* FXSD_SIP_MESSAGE_H */
